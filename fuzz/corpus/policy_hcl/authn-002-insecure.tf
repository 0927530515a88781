terraform {
  backend "s3" {
    bucket     = "tf-state"
    key        = "app.tfstate"
    region     = "eu-west-1"
    access_key = "AKIAIOSFODNN7EXAMPLE"
    secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
  }
}

provider "aws" {
  region = "eu-west-1"
}
