"""A minimal Django project that serves drf-stripe-subscription as its README says."""
