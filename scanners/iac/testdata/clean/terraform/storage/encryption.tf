# The buckets of buckets.tf are encrypted here, in another file of the module.
resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = "${aws_s3_bucket.logs.bucket}"
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "archive" {
  count  = 2
  bucket = aws_s3_bucket.archive[count.index].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}
