variable "region" {
  description = "AWS region for the service"
  type        = string
  default     = "eu-west-2"
}

variable "environment" {
  type = string
}

variable "db_password" {
  type      = string
  sensitive = true
}
