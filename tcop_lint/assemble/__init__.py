"""Assemble: documents from the load results (Terraform modules, repository facts, the inventory)."""
