"""`/v1/api-keys`: a tenant's admins list, create and revoke its keys."""
