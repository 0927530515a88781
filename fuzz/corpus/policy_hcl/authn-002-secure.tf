terraform {
  backend "s3" {
    bucket = "tf-state"
    key    = "app.tfstate"
    region = "eu-west-1"
  }
}

provider "aws" {
  region = "eu-west-1"
  assume_role {
    role_arn = var.deploy_role_arn
  }
}
