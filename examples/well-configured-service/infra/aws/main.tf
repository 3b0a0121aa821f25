resource "aws_lb" "public" {
  name               = "rod-licensing-public"
  load_balancer_type = "application"
  subnets            = var.public_subnet_ids
  security_groups    = [aws_security_group.lb.id]

  access_logs {
    bucket  = var.access_logs_bucket_name
    prefix  = "rod-licensing-public"
    enabled = true
  }
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.public.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.public.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = aws_acm_certificate.service.arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}

resource "aws_acm_certificate" "cdn" {
  provider          = aws.us_east_1
  domain_name       = "apply-rod-licence.example.gov.uk"
  validation_method = "DNS"
}

resource "aws_security_group" "bastion" {
  name        = "rod-licensing-bastion"
  description = "Support access to the bastion host"
  vpc_id      = var.vpc_id

  ingress {
    description = "SSH from the support network only"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.support_cidr]
  }
}

resource "aws_db_instance" "licences" {
  identifier          = "rod-licensing"
  engine              = "postgres"
  engine_version      = "16.3"
  instance_class      = "db.t4g.medium"
  allocated_storage   = 50
  username            = "licensing"
  password            = var.db_password
  publicly_accessible     = false
  storage_encrypted       = true
  multi_az                = true
  backup_retention_period = 14
  skip_final_snapshot     = false
}

resource "aws_cloudtrail" "audit" {
  name                       = "rod-licensing-audit"
  s3_bucket_name             = var.audit_bucket_name
  kms_key_id                 = var.audit_kms_key_arn
  is_multi_region_trail      = true
  enable_log_file_validation = true
}

resource "aws_budgets_budget" "monthly" {
  name         = "rod-licensing-monthly"
  budget_type  = "COST"
  limit_amount = "2500"
  limit_unit   = "USD"
  time_unit    = "MONTHLY"

  notification {
    comparison_operator        = "GREATER_THAN"
    threshold                  = 80
    threshold_type             = "PERCENTAGE"
    notification_type          = "FORECASTED"
    subscriber_email_addresses = ["rod-licensing-team@example.gov.uk"]
  }
}
