"""The payments app: companies buy subscription plans through Stripe Checkout."""
