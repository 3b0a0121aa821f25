terraform {
  required_version = ">= 1.6"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.10"
    }
  }
}

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
  min_tls_version                 = "TLS1_2"
  https_traffic_only_enabled      = true
  allow_nested_items_to_be_public = false
}

resource "azurerm_storage_management_policy" "evidence" {
  storage_account_id = azurerm_storage_account.evidence.id

  rule {
    name    = "expire-old-evidence"
    enabled = true

    filters {
      blob_types = ["blockBlob"]
    }

    actions {
      base_blob {
        tier_to_cool_after_days_since_modification_greater_than = 30
        delete_after_days_since_modification_greater_than       = 730
      }
    }
  }
}

resource "azurerm_consumption_budget_resource_group" "evidence" {
  name              = "rod-licensing-evidence"
  resource_group_id = azurerm_resource_group.evidence.id
  amount            = 300
  time_grain        = "Monthly"

  time_period {
    start_date = "2026-04-01T00:00:00Z"
  }

  notification {
    operator       = "GreaterThan"
    threshold      = 80
    contact_emails = ["rod-licensing-team@example.gov.uk"]
  }
}

resource "azurerm_monitor_diagnostic_setting" "evidence" {
  name                       = "evidence-audit"
  target_resource_id         = "${azurerm_storage_account.evidence.id}/blobServices/default"
  log_analytics_workspace_id = var.log_analytics_workspace_id

  enabled_log {
    category = "StorageWrite"
  }
}

variable "log_analytics_workspace_id" {
  description = "The department's central Log Analytics workspace"
  type        = string
}
