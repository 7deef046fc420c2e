"""SCIM 2.0 provisioning for identity providers (DESIGN §14): Users are employees, Groups are departments."""
