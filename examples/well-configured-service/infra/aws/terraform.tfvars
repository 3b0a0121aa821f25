region      = "eu-west-2"
environment = "production"
