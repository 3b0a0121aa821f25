provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "evidence" {
  name     = "rg-rod-licensing-evidence"
  location = "uksouth"
}

resource "azurerm_storage_account" "evidence" {
  name                       = "rodlicensingevidence"
  resource_group_name        = azurerm_resource_group.evidence.name
  location                   = azurerm_resource_group.evidence.location
  account_tier               = "Standard"
  account_replication_type   = "ZRS"
  min_tls_version            = "TLS1_2"
  https_traffic_only_enabled = true
}
