//! The semantics the policy engine exists for, pinned down case by case through the public API:
//! exact lines, Principal `*` mitigations, SecureTransport completeness, encryption denies on the
//! object ARN, customer-managed keys, GitHub OIDC pinning, references that are not secrets,
//! resource linking, and robustness on hostile input.

use pipeguard_core::policy::{scan, PolicyOutcome};

fn ids(out: &PolicyOutcome) -> Vec<&'static str> {
    out.hits.iter().map(|h| h.check_id).collect()
}

fn has(out: &PolicyOutcome, id: &str) -> bool {
    out.hits.iter().any(|h| h.check_id == id)
}

fn line_of(out: &PolicyOutcome, id: &str) -> usize {
    out.hits
        .iter()
        .find(|h| h.check_id == id)
        .unwrap_or_else(|| panic!("no {id} hit in {:?}", out.hits))
        .line
}

fn bucket_policy(statement: &str) -> String {
    format!("{{\"Version\": \"2012-10-17\", \"Statement\": [{statement}]}}")
}

// ---------------------------------------------------------------------------------- locations

#[test]
fn hits_point_at_the_offending_line_in_every_format() {
    let json = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"},\n    {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}\n  ]\n}\n";
    assert_eq!(line_of(&scan("p.json", json.as_bytes()), "AUTHZ-001"), 5);

    // A CloudFormation policy given as a JSON string in a block scalar.
    let cfn = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument: |\n        {\n          \"Statement\": [\n            {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}\n          ]\n        }\n";
    let out = scan("t.yaml", cfn.as_bytes());
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    assert_eq!(line_of(&out, "AUTHZ-001"), 8);

    // The same through `!Sub |`.
    let sub = cfn.replace("PolicyDocument: |", "PolicyDocument: !Sub |");
    let out = scan("t.yaml", sub.as_bytes());
    assert_eq!(line_of(&out, "AUTHZ-001"), 8);

    // Terraform heredoc and jsonencode.
    let tf = "resource \"aws_iam_policy\" \"a\" {\n  policy = <<EOF\n{\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}\n  ]\n}\nEOF\n}\n\nresource \"aws_iam_policy\" \"b\" {\n  policy = jsonencode({\n    Statement = [\n      {\n        Effect   = \"Allow\"\n        Action   = \"iam:PassRole\"\n        Resource = \"*\"\n      }\n    ]\n  })\n}\n";
    let out = scan("main.tf", tf.as_bytes());
    assert_eq!(line_of(&out, "AUTHZ-001"), 5);
    assert_eq!(line_of(&out, "AUTHZ-007"), 16);
    let h = out.hits.iter().find(|h| h.check_id == "AUTHZ-007").unwrap();
    assert_eq!(h.anchor, "aws_iam_policy.b.policy.Statement[0].Action");
}

#[test]
fn anchors_do_not_depend_on_lines_and_use_sids() {
    let a = bucket_policy(
        r#"{"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#,
    );
    let b = format!("\n\n\n{a}");
    let (x, y) = (scan("p.json", a.as_bytes()), scan("p.json", b.as_bytes()));
    let ax: Vec<_> = x.hits.iter().map(|h| (&h.anchor, h.check_id)).collect();
    let ay: Vec<_> = y.hits.iter().map(|h| (&h.anchor, h.check_id)).collect();
    assert_eq!(ax, ay);
    assert!(x
        .hits
        .iter()
        .any(|h| h.anchor == "Policy.Statement[Public].Principal"));
}

// ------------------------------------------------------------------------- Principal "*"

#[test]
fn principal_star_is_mitigated_only_by_caller_conditions() {
    let stmt = |cond: &str| {
        bucket_policy(&format!(
            r#"{{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"{cond}}}"#
        ))
    };
    let mitigating = [
        r#", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}"#,
        r#", "Condition": {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}"#,
        r#", "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/ci-*"}}"#,
        r#", "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}"#,
        r#", "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-1a2b3c4d"}}"#,
        r#", "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:cloudfront::111122223333:distribution/E1"}}"#,
        r#", "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}"#,
    ];
    for c in mitigating {
        let out = scan("p.json", stmt(c).as_bytes());
        assert!(
            !has(&out, "RBP-001") && !has(&out, "RBP-002"),
            "{c}: {:?}",
            ids(&out)
        );
    }
    let not_mitigating = [
        r#", "Condition": {"Bool": {"aws:SecureTransport": "true"}}"#,
        r#", "Condition": {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}"#,
        r#", "Condition": {"StringLike": {"aws:UserAgent": "my-app/*"}}"#,
        r#", "Condition": {"StringLike": {"aws:Referer": "https://example.com/*"}}"#,
        r#", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "*"}}"#,
        r#", "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-abc123"}}"#,
        r#", "Condition": {"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-abc123"}}"#,
        r#", "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ci"}}"#,
    ];
    for c in not_mitigating {
        let out = scan("p.json", stmt(c).as_bytes());
        assert!(has(&out, "RBP-002"), "{c}: {:?}", ids(&out));
        assert!(!has(&out, "RBP-001"), "{c}");
    }
    assert!(has(&scan("p.json", stmt("").as_bytes()), "RBP-001"));
}

#[test]
fn kms_key_policies_need_caller_account_with_via_service() {
    let key = |cond: &str| {
        format!(
            r#"{{"Statement": [{{"Effect": "Allow", "Principal": {{"AWS": "*"}}, "Action": ["kms:Decrypt"], "Resource": "*"{cond}}}]}}"#
        )
    };
    let one = r#", "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333"}}"#;
    let both = r#", "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333", "kms:ViaService": "s3.eu-west-1.amazonaws.com"}}"#;
    assert!(has(&scan("k.json", key(one).as_bytes()), "ENC-004"));
    assert!(!has(&scan("k.json", key(both).as_bytes()), "ENC-004"));
    // A key policy is not reported as a generic resource policy as well.
    assert!(!has(&scan("k.json", key("").as_bytes()), "RBP-001"));
}

// ------------------------------------------------------------------------ SecureTransport

fn tls(statements: &str) -> PolicyOutcome {
    let doc = format!("{{\"Statement\": [{statements}]}}");
    scan("bucket-policy.json", doc.as_bytes())
}

const DENY: &str = r#""Effect": "Deny", "Principal": "*", "Action": "s3:*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}"#;

#[test]
fn secure_transport_deny_must_cover_bucket_and_objects() {
    let full = tls(&format!(
        r#"{{{DENY}, "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]}}"#
    ));
    assert!(
        !has(&full, "TLS-001") && !has(&full, "TLS-002"),
        "{:?}",
        full.hits
    );

    let objects_only = tls(&format!(r#"{{{DENY}, "Resource": "arn:aws:s3:::b/*"}}"#));
    assert!(has(&objects_only, "TLS-002"));
    assert!(objects_only
        .hits
        .iter()
        .any(|h| h.check_id == "TLS-002" && h.message.contains("bucket ARN")));

    let bucket_only = tls(&format!(r#"{{{DENY}, "Resource": "arn:aws:s3:::b"}}"#));
    assert!(has(&bucket_only, "TLS-002"));
    assert!(bucket_only
        .hits
        .iter()
        .any(|h| h.check_id == "TLS-002" && h.message.contains("objects")));

    // Split over two complete statements: fine.
    let split = tls(&format!(
        r#"{{{DENY}, "Resource": "arn:aws:s3:::b"}}, {{{DENY}, "Resource": "arn:aws:s3:::b/*"}}"#
    ));
    assert!(!has(&split, "TLS-002"), "{:?}", split.hits);

    // `b*` and `*` cover both.
    assert!(!has(
        &tls(&format!(r#"{{{DENY}, "Resource": "arn:aws:s3:::b*"}}"#)),
        "TLS-002"
    ));
}

#[test]
fn secure_transport_statement_must_be_a_deny_for_everyone_on_s3_star() {
    let cases = [
        (
            r#""Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": {"Bool": {"aws:SecureTransport": "true"}}"#,
            "Allow",
        ),
        (
            r#""Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111122223333:role/x"}, "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}"#,
            "Principal",
        ),
        (
            r#""Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}"#,
            "Action",
        ),
        (
            r#""Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": {"Bool": {"aws:SecureTransport": "true"}}"#,
            "Bool",
        ),
    ];
    for (stmt, what) in cases {
        let out = tls(&format!("{{{stmt}}}"));
        let h = out
            .hits
            .iter()
            .find(|h| h.check_id == "TLS-002")
            .unwrap_or_else(|| panic!("{what}: {:?}", out.hits));
        assert!(h.message.contains(what), "{what}: {}", h.message);
    }
    let if_exists = tls(
        r#"{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": {"BoolIfExists": {"aws:SecureTransport": false}}}"#,
    );
    assert!(!has(&if_exists, "TLS-002"), "{:?}", if_exists.hits);
    let missing = tls(
        r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#,
    );
    assert!(has(&missing, "TLS-001"));
}

#[test]
fn symbolic_resources_tell_bucket_from_objects() {
    let cfn = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n  P:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: !Ref B\n      PolicyDocument:\n        Statement:\n          - Effect: Deny\n            Principal: '*'\n            Action: 's3:*'\n            Resource:\n              - !GetAtt B.Arn\n              - !Join ['', ['arn:aws:s3:::', !Ref B, '/*']]\n            Condition:\n              Bool:\n                aws:SecureTransport: false\n";
    let out = scan("t.yaml", cfn.as_bytes());
    assert!(
        !has(&out, "TLS-001") && !has(&out, "TLS-002"),
        "{:?}",
        out.hits
    );
    let tf = "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\n\nresource \"aws_s3_bucket_policy\" \"p\" {\n  bucket = aws_s3_bucket.b.id\n  policy = jsonencode({\n    Statement = [{\n      Effect = \"Deny\"\n      Principal = \"*\"\n      Action = \"s3:*\"\n      Resource = [aws_s3_bucket.b.arn]\n      Condition = { Bool = { \"aws:SecureTransport\" = \"false\" } }\n    }]\n  })\n}\n";
    let out = scan("main.tf", tf.as_bytes());
    assert!(
        !has(&out, "TLS-001"),
        "the bucket is linked to its policy: {:?}",
        out.hits
    );
    assert!(has(&out, "TLS-002"), "bucket ARN only: objects uncovered");
}

// --------------------------------------------------------------------------- encryption

#[test]
fn encryption_deny_works_only_on_the_object_arn() {
    let p = |res: &str, effect: &str| {
        bucket_policy(&format!(
            r#"{{"Effect": "{effect}", "Principal": "*", "Action": "s3:PutObject", "Resource": "{res}", "Condition": {{"StringNotEquals": {{"s3:x-amz-server-side-encryption": "aws:kms"}}}}}}"#
        ))
    };
    assert!(!has(
        &scan("p.json", p("arn:aws:s3:::b/*", "Deny").as_bytes()),
        "ENC-002"
    ));
    assert!(has(
        &scan("p.json", p("arn:aws:s3:::b", "Deny").as_bytes()),
        "ENC-002"
    ));
    assert!(has(
        &scan("p.json", p("arn:aws:s3:::b/*", "Allow").as_bytes()),
        "ENC-002"
    ));
}

#[test]
fn only_customer_managed_keys_count() {
    let bucket = |enc: &str| {
        format!("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketEncryption:\n        ServerSideEncryptionConfiguration:\n          - ServerSideEncryptionByDefault:\n{enc}")
    };
    for bad in [
        "              SSEAlgorithm: AES256\n",
        "              SSEAlgorithm: aws:kms\n",
        "              SSEAlgorithm: aws:kms\n              KMSMasterKeyID: alias/aws/s3\n",
        "              SSEAlgorithm: aws:kms\n              KMSMasterKeyID: arn:aws:kms:eu-west-1:111122223333:alias/aws/s3\n",
    ] {
        assert!(has(&scan("t.yaml", bucket(bad).as_bytes()), "ENC-001"), "{bad}");
    }
    for good in [
        "              SSEAlgorithm: aws:kms\n              KMSMasterKeyID: !Ref Key\n",
        "              SSEAlgorithm: aws:kms:dsse\n              KMSMasterKeyID: arn:aws:kms:eu-west-1:111122223333:key/abc\n",
    ] {
        assert!(!has(&scan("t.yaml", bucket(good).as_bytes()), "ENC-001"), "{good}");
    }
    let no_enc = "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\n";
    assert!(has(&scan("main.tf", no_enc.as_bytes()), "ENC-001"));
    let cb = "Resources:\n  C:\n    Type: AWS::CodeBuild::Project\n    Properties:\n      EncryptionKey: alias/aws/s3\n";
    assert!(has(&scan("t.yaml", cb.as_bytes()), "ENC-007"));
}

// ---------------------------------------------------------------------------- GitHub OIDC

#[test]
fn github_oidc_trust_needs_pinned_sub_and_audience() {
    let trust = |cond: &str| {
        format!(
            r#"{{"Statement": [{{"Effect": "Allow", "Principal": {{"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}}, "Action": "sts:AssumeRoleWithWebIdentity"{cond}}}]}}"#
        )
    };
    let aud = r#""token.actions.githubusercontent.com:aud": "sts.amazonaws.com""#;
    let cases = [
        ("".to_string(), true),
        (format!(r#", "Condition": {{"StringEquals": {{{aud}}}}}"#), true),
        (format!(r#", "Condition": {{"StringEquals": {{{aud}}}, "StringLike": {{"token.actions.githubusercontent.com:sub": "*"}}}}"#), true),
        (format!(r#", "Condition": {{"StringEquals": {{{aud}}}, "StringLike": {{"token.actions.githubusercontent.com:sub": "repo:*"}}}}"#), true),
        (format!(r#", "Condition": {{"StringEquals": {{{aud}}}, "StringLike": {{"token.actions.githubusercontent.com:sub": "repo:*/app:*"}}}}"#), true),
        (r#", "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:org/app:*"}}"#.to_string(), true),
        (format!(r#", "Condition": {{"StringEquals": {{{aud}}}, "StringLike": {{"token.actions.githubusercontent.com:sub": "repo:org/app:ref:refs/heads/main"}}}}"#), false),
        (format!(r#", "Condition": {{"StringEquals": {{{aud}, "token.actions.githubusercontent.com:sub": "repo:org/app:environment:prod"}}}}"#), false),
        (format!(r#", "Condition": {{"StringEquals": {{{aud}}}, "StringLike": {{"token.actions.githubusercontent.com:sub": "repo:org/*"}}}}"#), false),
    ];
    for (cond, bad) in cases {
        let out = scan("trust.json", trust(&cond).as_bytes());
        assert_eq!(has(&out, "AUTHN-005"), bad, "{cond}: {:?}", out.hits);
        assert!(!has(&out, "AUTHN-006"), "GitHub is AUTHN-005's");
    }
}

// ----------------------------------------------------------------- references vs secrets

#[test]
fn references_are_not_secrets() {
    let cb = |var: &str| {
        format!("Resources:\n  C:\n    Type: AWS::CodeBuild::Project\n    Properties:\n      Environment:\n        EnvironmentVariables:\n{var}")
    };
    let quiet = [
        "          - Name: DB_PASSWORD\n            Type: SECRETS_MANAGER\n            Value: prod/db:password\n",
        "          - Name: DB_PASSWORD\n            Type: PARAMETER_STORE\n            Value: /prod/db/password\n",
        "          - Name: DB_PASSWORD\n            Value: '{{resolve:secretsmanager:prod/db:SecretString:password}}'\n",
        "          - Name: DB_PASSWORD\n            Value: !Ref DbPassword\n",
        "          - Name: REGION\n            Value: eu-west-1\n",
    ];
    for v in quiet {
        assert!(!has(&scan("t.yaml", cb(v).as_bytes()), "SEC-001"), "{v}");
    }
    let loud = [
        "          - Name: DB_PASSWORD\n            Value: hunter2hunter2\n",
        "          - Name: SOMETHING\n            Type: PLAINTEXT\n            Value: AKIAIOSFODNN7EXAMPLE\n",
    ];
    for v in loud {
        assert!(has(&scan("t.yaml", cb(v).as_bytes()), "SEC-001"), "{v}");
    }
    let wf = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    env:\n      NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n    steps:\n      - run: echo hi\n";
    assert!(!has(
        &scan(".github/workflows/a.yml", wf.as_bytes()),
        "SEC-007"
    ));
    let bs = "version: 0.2\nenv:\n  secrets-manager:\n    NPM_TOKEN: ci/npm:token\n  parameter-store:\n    DB_PASSWORD: /prod/db\nphases:\n  build:\n    commands:\n      - make\n";
    assert!(ids(&scan("buildspec.yml", bs.as_bytes())).is_empty());
    let param = "Parameters:\n  DbPassword:\n    Type: String\n    NoEcho: true\nResources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      MasterUserPassword: !Ref DbPassword\n";
    assert!(!has(&scan("t.yaml", param.as_bytes()), "SEC-005"));
    let param = param.replace("    NoEcho: true\n", "");
    assert!(has(&scan("t.yaml", param.as_bytes()), "SEC-005"));
}

// ------------------------------------------------------------------------------ robustness

#[test]
fn hostile_input_never_panics() {
    let deep_json = format!("{{\"Statement\": {}", "[".repeat(200_000));
    let out = scan("p.json", deep_json.as_bytes());
    assert!(out.hits.is_empty() && !out.diagnostics.is_empty());
    let deep_yaml = format!(
        "AWSTemplateFormatVersion: x\nResources: {}",
        "[".repeat(200_000)
    );
    assert!(!scan("t.yaml", deep_yaml.as_bytes()).diagnostics.is_empty());
    let deep_block = format!(
        "AWSTemplateFormatVersion: x\nResources:\n{}",
        "- ".repeat(100_000)
    );
    assert!(!scan("t.yaml", deep_block.as_bytes()).diagnostics.is_empty());
    let deep_tf = format!(
        "resource \"aws_iam_policy\" \"p\" {{\n  policy = {}\n}}\n",
        "[".repeat(100_000)
    );
    assert!(!scan("main.tf", deep_tf.as_bytes()).diagnostics.is_empty());
    let deep_fn = format!(
        "resource \"aws_iam_policy\" \"p\" {{\n  policy = {}x{}\n}}\n",
        "f(".repeat(10_000),
        ")".repeat(10_000)
    );
    let _ = scan("main.tf", deep_fn.as_bytes());
    let deep_intrinsics = format!(
        "AWSTemplateFormatVersion: x\nResources:\n  A:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyDocument: {}x{}\n",
        "{\"Fn::Join\": [\"\", [".repeat(60),
        "]]}".repeat(60)
    );
    let _ = scan("t.yaml", deep_intrinsics.as_bytes());
    for garbage in [
        &b"\xff\xfe\"Statement\"\x00\x01"[..],
        b"{\"Statement\": ",
        b"Resources:\n  - !Ref\n  - : :\n\t- x",
        b"resource \"aws_s3_bucket\" {{{{",
        b"",
        b"phases:\n  build: [",
        b"{\"Statement\": [1, \"x\", null, {\"Effect\": 3, \"Principal\": [[[]]], \"Condition\": 5}]}",
        b"{\"Statement\": {\"Effect\": \"Allow\", \"Action\": {\"x\": 1}, \"Resource\": [{}], \"Condition\": {\"StringEquals\": [1]}}}",
    ] {
        let _ = scan("x.json", garbage);
        let _ = scan("x.yaml", garbage);
        let _ = scan("x.tf", garbage);
        let _ = scan("x", garbage);
    }
}

#[test]
fn parse_errors_are_diagnostics_with_locations() {
    let out = scan(
        "main.tf",
        b"resource \"aws_s3_bucket\" \"b\" {\n  bucket = \n}\n",
    );
    assert_eq!(out.diagnostics.len(), 1, "{:?}", out.diagnostics);
    // The location starts the message; the scanner adds the path once (no `main.tf: main.tf:`).
    assert!(
        out.diagnostics[0].as_bytes()[0].is_ascii_digit()
            && !out.diagnostics[0].contains("main.tf"),
        "{:?}",
        out.diagnostics
    );
    let out = scan(
        "p.json",
        b"{\n  \"Statement\": [\n    {\"Effect\": \"Allow\",}\n  ]\n}\n",
    );
    assert!(
        out.diagnostics[0].starts_with("3:"),
        "{:?}",
        out.diagnostics
    );
}

#[test]
fn ordinary_files_are_skipped_cheaply() {
    assert!(scan("src/main.rs", b"fn main() { let s = \"Statement\"; }")
        .hits
        .is_empty());
    let pkg = br#"{"name": "x", "version": "1.0.0", "dependencies": {"left-pad": "1"}}"#;
    let out = scan("package.json", pkg);
    assert!(out.hits.is_empty() && out.diagnostics.is_empty());
    // A YAML file that merely mentions `jobs:` in prose and does not parse is not reported.
    let out = scan("notes.yaml", b"jobs: [ this is : not yaml");
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    // Documents are found by content, whatever their name.
    let trust = br#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}"#;
    assert!(has(&scan("infra/role-trust", trust), "AUTHN-004"));
    let wf = "on: push\npermissions: write-all\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n";
    assert!(has(&scan("ci/anything.yml", wf.as_bytes()), "CICD-001"));
}

#[test]
fn sniffing_is_fast_on_ordinary_sources() {
    // 64 MiB of JSON-ish and YAML-ish text without policy markers must go by quickly.
    let chunk = "{\"name\": \"x\", \"items\": [1, 2, 3], \"description\": \"lorem ipsum dolor sit amet\"}\n".repeat(1 << 14);
    let start = std::time::Instant::now();
    let mut n = 0;
    for i in 0..48 {
        n += scan(&format!("data/{i}.json"), chunk.as_bytes()).hits.len();
    }
    let mb = (chunk.len() * 48) as f64 / 1e6;
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(n, 0);
    eprintln!("sniffed {mb:.0} MB in {secs:.3} s ({:.0} MB/s)", mb / secs);
    assert!(secs < 10.0, "sniffing too slow: {secs}s for {mb} MB");
}

#[test]
fn sam_function_policies_are_identity_policies() {
    let sam = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n      Runtime: python3.12\n      Policies:\n        - AWSLambdaBasicExecutionRole\n        - Statement:\n            - Effect: Allow\n              Action: '*'\n              Resource: '*'\n";
    assert_eq!(
        line_of(&scan("template.yaml", sam.as_bytes()), "AUTHZ-001"),
        11
    );
}
