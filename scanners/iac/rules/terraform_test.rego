package scanmux.iac.terraform_test

import data.scanmux.iac.terraform

tf(resources) := {"kind": "terraform", "path": "main.tf", "document": {"resource": resources}, "module": {"resource": resources}}

ids(fs) := {f.id | some f in fs}

pointers(fs, id) := {f.pointer | some f in fs; f.id == id}

encrypted_bucket := {
	"aws_s3_bucket": {"b": {"bucket": "logs"}},
	"aws_s3_bucket_server_side_encryption_configuration": {"b": {
		"bucket": "aws_s3_bucket.b.id",
		"rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms"}]}],
	}},
}

test_private_encrypted_bucket_is_clean if {
	fs := terraform.deny with input as tf(encrypted_bucket)
	count(fs) == 0
}

test_public_acl if {
	res := object.union(encrypted_bucket, {
		"aws_s3_bucket": {"b": {"bucket": "logs", "acl": "public-read-write"}},
		"aws_s3_bucket_acl": {"a": {"bucket": "aws_s3_bucket.b.id", "acl": "authenticated-read"}, "p": {"acl": "private"}},
	})
	fs := terraform.deny with input as tf(res)
	pointers(fs, "SMX-TF-001") == {"/resource/aws_s3_bucket/b/acl", "/resource/aws_s3_bucket_acl/a/acl"}
}

test_public_access_block if {
	res := {"aws_s3_bucket_public_access_block": {
		"off": {"block_public_acls": false, "block_public_policy": true, "ignore_public_acls": true, "restrict_public_buckets": false},
		"partial": {"block_public_acls": true},
		"on": {"block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true, "restrict_public_buckets": true},
	}}
	fs := terraform.deny with input as tf(res)
	pointers(fs, "SMX-TF-002") == {
		"/resource/aws_s3_bucket_public_access_block/off/block_public_acls",
		"/resource/aws_s3_bucket_public_access_block/off/restrict_public_buckets",
		"/resource/aws_s3_bucket_public_access_block/partial",
	}
}

test_bucket_without_encryption if {
	res := {"aws_s3_bucket": {"a": {"bucket": "a"}, "b": {"bucket": "b"}, "c": {"bucket": "c"}, "d": {"bucket": "d"}},
		"aws_s3_bucket_server_side_encryption_configuration": {
			"for_b": {"bucket": "aws_s3_bucket.b[0].bucket"},
			"for_c": {"bucket": "c"},
		},
	}
	fs := terraform.deny with input as object.union(tf(res), {"document": {"resource": {"aws_s3_bucket": {"d": {
		"bucket": "d",
		"server_side_encryption_configuration": [{"rule": [{}]}],
	}}}}})
	pointers(fs, "SMX-TF-003") == {"/resource/aws_s3_bucket/a"}
}

test_encryption_in_another_file_of_the_module if {
	input_doc := {
		"kind": "terraform", "path": "s3.tf",
		"document": {"resource": {"aws_s3_bucket": {"b": {"bucket": "b"}}}},
		"module": {"resource": encrypted_bucket},
	}
	fs := terraform.deny with input as input_doc
	count(fs) == 0
}

test_unresolvable_encryption_target_covers_all if {
	res := {"aws_s3_bucket": {"a": {"bucket": "a"}}, "aws_s3_bucket_server_side_encryption_configuration": {"x": {"bucket": "each.value.id"}}}
	fs := terraform.deny with input as tf(res)
	count(fs) == 0
}

sg(ingress) := {"aws_security_group": {"web": {"name": "web", "ingress": ingress}}}

test_security_group_ssh_open if {
	fs := terraform.deny with input as tf(sg([
		{"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/8", "0.0.0.0/0"]},
		{"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]},
		{"from_port": 3389, "to_port": 3389, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/8"]},
		{"from_port": 0, "to_port": 0, "protocol": "-1", "ipv6_cidr_blocks": ["::/0"]},
		{"from_port": "20", "to_port": "25", "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]},
		{"from_port": "var.port", "to_port": "var.port", "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]},
	]))
	pointers(fs, "SMX-TF-004") == {
		"/resource/aws_security_group/web/ingress/0/cidr_blocks/1",
		"/resource/aws_security_group/web/ingress/3/ipv6_cidr_blocks/0",
		"/resource/aws_security_group/web/ingress/4/cidr_blocks/0",
	}
}

test_security_group_rule_resources if {
	res := {
		"aws_security_group_rule": {
			"rdp": {"type": "ingress", "from_port": 3389, "to_port": 3389, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]},
			"egress": {"type": "egress", "from_port": 0, "to_port": 65535, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]},
		},
		"aws_vpc_security_group_ingress_rule": {
			"all": {"ip_protocol": "-1", "cidr_ipv4": "0.0.0.0/0"},
			"https": {"ip_protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv6": "::/0"},
		},
	}
	fs := terraform.deny with input as tf(res)
	pointers(fs, "SMX-TF-004") == {
		"/resource/aws_security_group_rule/rdp/cidr_blocks/0",
		"/resource/aws_vpc_security_group_ingress_rule/all/cidr_ipv4",
	}
}

test_rds if {
	res := {"aws_db_instance": {
		"public": {"publicly_accessible": true, "storage_encrypted": true},
		"plain": {"storage_encrypted": false},
		"unset": {"engine": "postgres"},
		"replica": {"replicate_source_db": "aws_db_instance.public.identifier"},
		"good": {"publicly_accessible": false, "storage_encrypted": true},
	}}
	fs := terraform.deny with input as tf(res)
	pointers(fs, "SMX-TF-005") == {"/resource/aws_db_instance/public/publicly_accessible"}
	pointers(fs, "SMX-TF-006") == {"/resource/aws_db_instance/plain/storage_encrypted", "/resource/aws_db_instance/unset"}
}
