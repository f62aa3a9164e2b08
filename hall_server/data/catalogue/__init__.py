"""The service catalogue: departments and one file of services per department."""
