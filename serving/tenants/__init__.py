"""`/v1/admin/tenants`: evwatch's operators create and list tenants (an extension beside the contract)."""
