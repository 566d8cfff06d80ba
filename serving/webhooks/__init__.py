"""`/v1/webhooks`: a tenant's outgoing event subscriptions, their secrets and their deliveries."""
