"""A minimal Django project that serves dj-stripe as its documentation says."""
