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

variable "support_cidr" {
  description = "The department's support network"
  type        = string
}

variable "audit_bucket_name" {
  description = "The department's central audit log bucket"
  type        = string
}

variable "access_logs_bucket_name" {
  description = "The department's central load balancer access log bucket"
  type        = string
}

variable "audit_kms_key_arn" {
  description = "The department's KMS key for audit logs"
  type        = string
}
