resource "aws_s3_bucket" "logs" {
  bucket = "example-logs"
}

resource "aws_s3_bucket" "archive" {
  count  = 2
  bucket = "example-archive-${count.index}"
}
