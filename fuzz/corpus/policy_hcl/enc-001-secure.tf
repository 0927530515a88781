resource "aws_kms_key" "k" {
  enable_key_rotation = true
}

resource "aws_s3_bucket" "b" {
  bucket = "example-artifacts"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "b" {
  bucket = aws_s3_bucket.b.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.k.arn
    }
  }
}
