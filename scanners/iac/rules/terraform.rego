# Package scanmux.iac.terraform checks Terraform configurations.
#
# input.document holds the resources of one .tf file and input.module those
# of every .tf file of its directory (the Terraform module), both as
# {"resource": {TYPE: {NAME: body}}}. A body maps attributes to their values
# and nested block types to arrays of bodies. Attribute values that are
# literals are evaluated (strings, numbers, booleans, lists, objects); any
# other expression is its source text, such as "aws_s3_bucket.logs.id" or
# "var.cidr". Findings point at attributes and blocks with JSON pointers
# ("/resource/aws_s3_bucket/logs/acl"); a pointer to an attribute that is
# not set is reported at its block.
package scanmux.iac.terraform

import data.scanmux.iac.lib

resources(type) := object.get(input.document, ["resource", type], {})

module_resources(type) := object.get(input.module, ["resource", type], {})

ptr(type, name) := sprintf("/resource/%s/%s", [type, name])

address(type, name) := sprintf("%s.%s", [type, name])

public_acls := {"public-read", "public-read-write", "authenticated-read"}

# METADATA
# title: S3 bucket with a public ACL
# description: >-
#   The bucket's canned ACL grants read (or write) access to everyone on
#   the internet, or to every AWS account. Anything put in the bucket leaks.
# related_resources:
# - ref: https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl
#   description: Amazon S3 canned ACLs
# custom:
#   id: SMX-TF-001
#   name: TerraformS3PublicACL
#   severity: high
#   precision: very-high
#   cwe: [732]
#   tags: [terraform, aws, s3]
#   help: >-
#     Use the private ACL (or none: set object_ownership =
#     "BucketOwnerEnforced" to disable ACLs), block public access with
#     aws_s3_bucket_public_access_block, and share objects through
#     CloudFront or pre-signed URLs.
deny contains f if {
	meta := rego.metadata.rule()
	some type in ["aws_s3_bucket", "aws_s3_bucket_acl"]
	some name, body in resources(type)
	body.acl in public_acls
	f := lib.result(meta, {
		"pointer": sprintf("%s/acl", [ptr(type, name)]),
		"message": sprintf("%s sets the canned ACL %q, which makes the bucket readable by %s.", [address(type, name), body.acl, acl_audience(body.acl)]),
		"resource": address(type, name),
	})
}

acl_audience("authenticated-read") := "every AWS account"

acl_audience(acl) := "anyone" if acl != "authenticated-read"

public_access_block_settings := ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]

# METADATA
# title: S3 public access not blocked
# description: >-
#   An aws_s3_bucket_public_access_block turns off (false) or leaves unset
#   (which means false) one of its four protections, so public ACLs or
#   public bucket policies can expose the bucket.
# related_resources:
# - ref: https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
#   description: Blocking public access to Amazon S3 storage
# custom:
#   id: SMX-TF-002
#   name: TerraformS3PublicAccessNotBlocked
#   severity: medium
#   precision: very-high
#   cwe: [284]
#   tags: [terraform, aws, s3]
#   help: >-
#     Set block_public_acls, block_public_policy, ignore_public_acls and
#     restrict_public_buckets to true.
deny contains f if {
	meta := rego.metadata.rule()
	some v in public_access_not_blocked
	f := lib.result(meta, v)
}

public_access_not_blocked contains v if {
	some name, body in resources("aws_s3_bucket_public_access_block")
	some setting in public_access_block_settings
	body[setting] == false
	v := {
		"pointer": sprintf("%s/%s", [ptr("aws_s3_bucket_public_access_block", name), setting]),
		"message": sprintf("%s sets %s = false.", [address("aws_s3_bucket_public_access_block", name), setting]),
		"resource": address("aws_s3_bucket_public_access_block", name),
	}
}

public_access_not_blocked contains v if {
	some name, body in resources("aws_s3_bucket_public_access_block")
	unset := [s | some s in public_access_block_settings; not has(body, s)]
	count(unset) > 0
	v := {
		"pointer": ptr("aws_s3_bucket_public_access_block", name),
		"message": sprintf("%s leaves %s unset, which means false.", [address("aws_s3_bucket_public_access_block", name), concat(", ", unset)]),
		"resource": address("aws_s3_bucket_public_access_block", name),
	}
}

has(body, key) if _ = body[key]

# bucket_referenced is true when a bucket argument (a literal name or a
# reference's source text) designates the bucket resource NAME of the
# module.
bucket_referenced(arg, name) if regex.match(sprintf(`^aws_s3_bucket\.%s(\[[^\]]*\])?\.(id|bucket)$`, [name]), arg)

bucket_referenced(arg, name) if {
	bucket := module_resources("aws_s3_bucket")[name].bucket
	is_string(bucket)
	arg == bucket
}

# unresolved is true for a bucket argument that scanmux cannot tie to a
# bucket of the module (a variable, a module output, for_each): it may
# designate any bucket.
unresolved(arg) if {
	is_string(arg)
	regex.match(`^(var|local|module|each|data)\.`, arg)
}

encrypted(name) if {
	some cfg in module_resources("aws_s3_bucket_server_side_encryption_configuration")
	bucket_referenced(cfg.bucket, name)
}

encrypted(name) if {
	some cfg in module_resources("aws_s3_bucket_server_side_encryption_configuration")
	unresolved(cfg.bucket)
}

encrypted(name) if {
	# AWS provider v3 and older: the configuration inside the bucket.
	count(resources("aws_s3_bucket")[name].server_side_encryption_configuration) > 0
}

# METADATA
# title: S3 bucket without server-side encryption configuration
# description: >-
#   No aws_s3_bucket_server_side_encryption_configuration in the module
#   refers to the bucket and the bucket has no inline
#   server_side_encryption_configuration. AWS applies SSE-S3 by default
#   since 2023, but without an explicit configuration the choice of key
#   (SSE-KMS with a customer-managed key, bucket keys) is nobody's decision
#   and older accounts or other S3-compatible targets may store plaintext.
# related_resources:
# - ref: https://docs.aws.amazon.com/AmazonS3/latest/userguide/serv-side-encryption.html
#   description: Protecting data with server-side encryption
# custom:
#   id: SMX-TF-003
#   name: TerraformS3NoEncryptionConfig
#   severity: low
#   precision: high
#   cwe: [311]
#   tags: [terraform, aws, s3, encryption]
#   help: >-
#     Add an aws_s3_bucket_server_side_encryption_configuration whose bucket
#     is this bucket's id, with a rule applying sse_algorithm "aws:kms" (and
#     a customer-managed kms_master_key_id) or "AES256".
deny contains f if {
	meta := rego.metadata.rule()
	some name, _ in resources("aws_s3_bucket")
	not encrypted(name)
	f := lib.result(meta, {
		"pointer": ptr("aws_s3_bucket", name),
		"message": sprintf("%s has no server-side encryption configuration.", [address("aws_s3_bucket", name)]),
		"resource": address("aws_s3_bucket", name),
	})
}

world_cidrs := {"0.0.0.0/0", "::/0"}

admin_ports := {22: "SSH", 3389: "RDP"}

# port_exposure says which sensitive ports a rule's protocol and port range
# expose: "all ports", "port 22 (SSH)" ... Undefined when none.
port_exposure(rule) := "all ports" if {
	lower(sprintf("%v", [protocol(rule)])) in {"-1", "all"}
} else := "all ports" if {
	port(rule.from_port) <= 0
	port(rule.to_port) >= 65535
} else := concat(" and ", sort([sprintf("port %d (%s)", [p, svc]) |
	some p, svc in admin_ports
	port(rule.from_port) <= p
	p <= port(rule.to_port)
])) if {
	some p, _ in admin_ports
	port(rule.from_port) <= p
	p <= port(rule.to_port)
}

# port is a port number given as a number or a numeric string; undefined
# for anything else (a variable reference).
port(v) := v if is_number(v)

port(v) := to_number(v) if {
	is_string(v)
	regex.match(`^-?[0-9]+$`, v)
}

protocol(rule) := object.get(rule, "protocol", object.get(rule, "ip_protocol", ""))

# open_cidr is the set of [field, index, cidr] of each world-open CIDR of a
# rule (index -1 for a single-valued field).
open_cidr(rule) := {[field, i, cidr] |
	some field in ["cidr_blocks", "ipv6_cidr_blocks"]
	some i, cidr in rule[field]
	cidr in world_cidrs
} | {[field, -1, rule[field]] |
	some field in ["cidr_ipv4", "cidr_ipv6"]
	rule[field] in world_cidrs
}

field_ptr(base, field, i) := sprintf("%s/%s", [base, field]) if i < 0

field_ptr(base, field, i) := sprintf("%s/%s/%d", [base, field, i]) if i >= 0

# ingress_rules are [pointer, address, rule] of every ingress rule of the
# file, whichever resource shape declares it.
ingress_rules contains [sprintf("%s/ingress/%d", [ptr("aws_security_group", name), i]), address("aws_security_group", name), rule] if {
	some name, body in resources("aws_security_group")
	some i, rule in body.ingress
	is_object(rule)
}

ingress_rules contains [ptr("aws_security_group_rule", name), address("aws_security_group_rule", name), body] if {
	some name, body in resources("aws_security_group_rule")
	body.type == "ingress"
}

ingress_rules contains [ptr("aws_vpc_security_group_ingress_rule", name), address("aws_vpc_security_group_ingress_rule", name), body] if {
	some name, body in resources("aws_vpc_security_group_ingress_rule")
}

# METADATA
# title: Security group open to the internet on an admin port
# description: >-
#   A security group ingress rule lets 0.0.0.0/0 or ::/0 reach SSH (22),
#   RDP (3389) or every port. Internet-wide scanners find such ports within
#   minutes and brute-force or exploit them.
# related_resources:
# - ref: https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
#   description: Security group rules
# custom:
#   id: SMX-TF-004
#   name: TerraformSecurityGroupOpenAdminPort
#   severity: high
#   precision: very-high
#   cwe: [284]
#   tags: [terraform, aws, network]
#   help: >-
#     Restrict the rule's CIDR blocks to known addresses (an office or VPN
#     range), or remove it and reach instances through AWS Systems Manager
#     Session Manager or a bastion.
deny contains f if {
	meta := rego.metadata.rule()
	some [base, addr, rule] in ingress_rules
	exposure := port_exposure(rule)
	some [field, i, cidr] in open_cidr(rule)
	f := lib.result(meta, {
		"pointer": field_ptr(base, field, i),
		"message": sprintf("%s lets %s reach %s.", [addr, cidr, exposure]),
		"resource": addr,
	})
}

# METADATA
# title: RDS instance publicly accessible
# description: >-
#   publicly_accessible = true gives the database instance a public
#   address, so its port is reachable from the internet wherever the
#   security groups allow it.
# related_resources:
# - ref: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html#USER_VPC.Hiding
#   description: Hiding a DB instance in a VPC from the internet
# custom:
#   id: SMX-TF-005
#   name: TerraformRDSPubliclyAccessible
#   severity: high
#   precision: very-high
#   cwe: [668]
#   tags: [terraform, aws, rds, network]
#   help: >-
#     Set publicly_accessible = false (the default) and reach the database
#     from inside the VPC, through a VPN or a bastion.
deny contains f if {
	meta := rego.metadata.rule()
	some name, body in resources("aws_db_instance")
	body.publicly_accessible == true
	f := lib.result(meta, {
		"pointer": sprintf("%s/publicly_accessible", [ptr("aws_db_instance", name)]),
		"message": sprintf("%s is publicly accessible.", [address("aws_db_instance", name)]),
		"resource": address("aws_db_instance", name),
	})
}

# METADATA
# title: RDS storage not encrypted
# description: >-
#   storage_encrypted is false or not set (which means false): the
#   database's storage, snapshots and backups are not encrypted at rest.
#   Encryption cannot be turned on later without a snapshot and restore.
# related_resources:
# - ref: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html
#   description: Encrypting Amazon RDS resources
# custom:
#   id: SMX-TF-006
#   name: TerraformRDSStorageNotEncrypted
#   severity: medium
#   precision: high
#   cwe: [311]
#   tags: [terraform, aws, rds, encryption]
#   help: Set storage_encrypted = true, with kms_key_id naming a customer-managed key if needed.
deny contains f if {
	meta := rego.metadata.rule()
	some v in rds_unencrypted
	f := lib.result(meta, v)
}

rds_unencrypted contains v if {
	some name, body in resources("aws_db_instance")
	body.storage_encrypted == false
	v := {
		"pointer": sprintf("%s/storage_encrypted", [ptr("aws_db_instance", name)]),
		"message": sprintf("%s sets storage_encrypted = false.", [address("aws_db_instance", name)]),
		"resource": address("aws_db_instance", name),
	}
}

rds_unencrypted contains v if {
	some name, body in resources("aws_db_instance")
	not has(body, "storage_encrypted")
	not has(body, "replicate_source_db") # replicas inherit the source's encryption
	v := {
		"pointer": ptr("aws_db_instance", name),
		"message": sprintf("%s does not set storage_encrypted, so its storage is not encrypted.", [address("aws_db_instance", name)]),
		"resource": address("aws_db_instance", name),
	}
}
