resource "aws_kms_key" "k" {
  description         = "artifacts"
  enable_key_rotation = false
}
