"""Synthetic corpora for the benchmarks, shaped like real repositories (content is our own).

- ``platform``: a platform repository like ministryofjustice/cloud-platform-environments:
  many namespaces, each with a few Kubernetes manifests (namespace, RBAC, limits, quota,
  network policies) and a ``resources/`` folder of Terraform (providers, variables, versions and
  a few files using the platform's modules: RDS, ECR, S3, SQS, ElastiCache, IRSA).
- ``module``: a Terraform module repository like terraform-aws-modules/terraform-aws-eks: a
  large root module, sub-modules and examples, about 90 files and 0.5 MB.

Deterministic: the same arguments give byte-identical trees.

    python benchmarks/generate.py platform /tmp/platform --namespaces 2000
    python benchmarks/generate.py module /tmp/module
"""

from __future__ import annotations

import argparse
import random
import subprocess
from pathlib import Path

TEAMS = ("laa", "hmpps", "cica", "opg", "hmcts", "moj-digital", "cloud-platform", "probation", "courts", "prisons")
ENVS = ("dev", "staging", "preprod", "prod")
WORDS = (
    "abundant",
    "basil",
    "calm",
    "delta",
    "ember",
    "fable",
    "glade",
    "harbour",
    "ivory",
    "juniper",
    "kestrel",
    "lumen",
    "meadow",
    "nimbus",
    "orchard",
    "pebble",
    "quill",
    "raven",
    "saffron",
    "tundra",
)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# --- the platform repository ----------------------------------------------------------------


def _namespace_yaml(ns: str, team: str, env: str, rng: random.Random) -> str:
    return f"""apiVersion: v1
kind: Namespace
metadata:
  name: {ns}
  labels:
    cloud-platform.justice.gov.uk/is-production: "{str(env == "prod").lower()}"
    cloud-platform.justice.gov.uk/environment-name: "{env}"
    pod-security.kubernetes.io/enforce: restricted
  annotations:
    cloud-platform.justice.gov.uk/business-unit: "{team.upper()}"
    cloud-platform.justice.gov.uk/slack-channel: "{team}-{rng.choice(WORDS)}-alerts"
    cloud-platform.justice.gov.uk/application: "{ns.replace("-", " ")}"
    cloud-platform.justice.gov.uk/owner: "{team}: {team}@digital.justice.gov.uk"
    cloud-platform.justice.gov.uk/source-code: "https://github.com/ministryofjustice/{ns.rsplit("-", 1)[0]}"
    cloud-platform.justice.gov.uk/team-name: "{team}"
    cloud-platform.justice.gov.uk/review-after: "2027-0{rng.randint(1, 9)}-01"
"""


def _rbac_yaml(ns: str, team: str) -> str:
    return f"""kind: RoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata:
  name: {ns}-admin
  namespace: {ns}
subjects:
  - kind: Group
    name: "github:{team}"
    apiGroup: rbac.authorization.k8s.io
  - kind: Group
    name: "github:webops"
    apiGroup: rbac.authorization.k8s.io
roleRef:
  kind: ClusterRole
  name: admin
  apiGroup: rbac.authorization.k8s.io
---
kind: RoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata:
  name: {ns}-readonly
  namespace: {ns}
subjects:
  - kind: Group
    name: "github:{team}-readers"
    apiGroup: rbac.authorization.k8s.io
roleRef:
  kind: ClusterRole
  name: view
  apiGroup: rbac.authorization.k8s.io
"""


def _limitrange_yaml(ns: str, rng: random.Random) -> str:
    return f"""apiVersion: v1
kind: LimitRange
metadata:
  name: limitrange
  namespace: {ns}
spec:
  limits:
  - default:
      cpu: {rng.choice(("250m", "500m", "1"))}
      memory: {rng.choice(("500Mi", "1000Mi", "2Gi"))}
    defaultRequest:
      cpu: 10m
      memory: 100Mi
    type: Container
"""


def _quota_yaml(ns: str, rng: random.Random) -> str:
    return f"""apiVersion: v1
kind: ResourceQuota
metadata:
  name: namespace-quota
  namespace: {ns}
spec:
  hard:
    pods: "{rng.choice((10, 25, 50, 100))}"
    requests.cpu: "{rng.choice((2, 4, 8))}"
    requests.memory: {rng.choice((4, 8, 16))}Gi
    limits.cpu: "{rng.choice((4, 8, 16))}"
    limits.memory: {rng.choice((8, 16, 32))}Gi
    persistentvolumeclaims: "{rng.choice((2, 5, 10))}"
    services.loadbalancers: "0"
    services.nodeports: "0"
"""


def _netpol_yaml(ns: str) -> str:
    return f"""apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default
  namespace: {ns}
spec:
  podSelector: {{}}
  policyTypes:
    - Ingress
  ingress:
    - from:
      - podSelector: {{}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-ingress-controllers
  namespace: {ns}
spec:
  podSelector: {{}}
  policyTypes:
    - Ingress
  ingress:
    - from:
      - namespaceSelector:
          matchLabels:
            component: ingress-controllers
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-prometheus-scraping
  namespace: {ns}
spec:
  podSelector: {{}}
  policyTypes:
    - Ingress
  ingress:
    - from:
      - namespaceSelector:
          matchLabels:
            component: monitoring
"""


def _deployment_yaml(ns: str, rng: random.Random) -> str:
    app = rng.choice(WORDS)
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {app}-web
  namespace: {ns}
  labels:
    app: {app}-web
spec:
  replicas: {rng.choice((1, 2, 3))}
  selector:
    matchLabels:
      app: {app}-web
  template:
    metadata:
      labels:
        app: {app}-web
    spec:
      serviceAccountName: {ns}-irsa
      containers:
        - name: web
          image: 754256621582.dkr.ecr.eu-west-2.amazonaws.com/{ns}/{app}:1.{rng.randint(0, 40)}.0
          ports:
            - containerPort: 8080
          resources:
            limits:
              cpu: 500m
              memory: 512Mi
          securityContext:
            runAsNonRoot: true
            allowPrivilegeEscalation: false
"""


_MAIN_TF = """terraform {{
  backend "s3" {{}}
}}

provider "aws" {{
  region = "eu-west-2"

  default_tags {{
    tags = {{
      GithubTeam = "{team}"
      business-unit = var.business_unit
      application = var.application
      is-production = var.is_production
      owner = var.team_name
      environment-name = var.environment
      infrastructure-support = var.infrastructure_support
      namespace = var.namespace
    }}
  }}
}}

provider "aws" {{
  alias = "london_without_default_tags"
  region = "eu-west-2"
}}

provider "aws" {{
  alias = "ireland"
  region = "eu-west-1"

  default_tags {{
    tags = {{
      GithubTeam = "{team}"
      namespace = var.namespace
    }}
  }}
}}

provider "github" {{
  owner = "ministryofjustice"
  token = var.github_token
}}

provider "kubernetes" {{
  config_path = var.kubernetes_config_path
}}
"""

_VERSIONS_TF = """terraform {
  required_version = ">= 1.2.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
    github = {
      source  = "integrations/github"
      version = "~> 6.0"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "~> 2.0"
    }
  }
}
"""


def _variables_tf(ns: str, team: str, env: str) -> str:
    values = {
        "vpc_name": "live-1",
        "kubernetes_cluster": "live",
        "application": ns.replace("-", " ").title(),
        "namespace": ns,
        "business_unit": team.upper(),
        "team_name": team,
        "environment": env,
        "infrastructure_support": f"{team}@digital.justice.gov.uk",
        "is_production": str(env == "prod").lower(),
        "slack_channel": f"{team}-dev",
        "github_owner": "ministryofjustice",
        "eks_cluster_name": "live",
        "github_team": f"{team}-developers",
        "source_code": f"https://github.com/ministryofjustice/{ns}",
        "repository_visibility": "public",
        "domain": f"{ns}.apps.live.cloud-platform.service.justice.gov.uk",
    }
    out = []
    for name, value in values.items():
        out.append(
            f'variable "{name}" {{\n  description = "The {name.replace("_", " ")} for this namespace"\n'
            f'  type        = string\n  default     = "{value}"\n}}\n'
        )
    out.append(
        'variable "github_token" {\n  type        = string\n  description = "Required by the GitHub Terraform '
        'provider"\n  default     = ""\n}\n'
    )
    out.append('variable "kubernetes_config_path" {\n  type    = string\n  default = null\n}\n')
    return "\n".join(out)


def _module_tf(kind: str, ns: str, rng: random.Random) -> str:
    ref = f"{rng.randint(4, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}"
    common = """  vpc_name               = var.vpc_name
  team_name              = var.team_name
  business_unit          = var.business_unit
  application            = var.application
  is_production          = var.is_production
  namespace              = var.namespace
  environment_name       = var.environment
  infrastructure_support = var.infrastructure_support
"""
    if kind == "rds":
        body = f"""module "rds" {{
  source = "github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref={ref}"

{common}
  db_engine                    = "postgres"
  db_engine_version            = "{rng.choice(("14", "15", "16"))}"
  db_instance_class            = "{rng.choice(("db.t4g.micro", "db.t4g.small", "db.m6g.large"))}"
  db_max_allocated_storage     = "{rng.choice((100, 500, 1000))}"
  rds_family                   = "postgres{rng.choice(("14", "15", "16"))}"
  deletion_protection          = true
  prepare_for_major_upgrade    = false
  allow_major_version_upgrade  = "false"
  db_parameter = [
    {{
      name         = "rds.force_ssl"
      value        = "1"
      apply_method = "pending-reboot"
    }}
  ]
  providers = {{
    aws = aws.london
  }}
}}

resource "kubernetes_secret" "rds" {{
  metadata {{
    name      = "rds-postgresql-instance-output"
    namespace = var.namespace
  }}

  data = {{
    rds_instance_endpoint = module.rds.rds_instance_endpoint
    database_name         = module.rds.database_name
    database_username     = module.rds.database_username
    database_password     = module.rds.database_password
    rds_instance_address  = module.rds.rds_instance_address
    url                   = "postgres://${{module.rds.database_username}}:${{module.rds.database_password}}@${{module.rds.rds_instance_endpoint}}/${{module.rds.database_name}}"
  }}
}}
"""
    elif kind == "ecr":
        body = f"""module "ecr" {{
  source = "github.com/ministryofjustice/cloud-platform-terraform-ecr-credentials?ref={ref}"

  repo_name = "{ns}-ecr"
  oidc_providers = ["github"]
  github_repositories = ["{ns.rsplit("-", 1)[0]}"]
  github_environments = ["{ns.rsplit("-", 1)[-1]}"]
  lifecycle_policy = jsonencode({{
    rules = [
      {{
        rulePriority = 1
        description  = "Expire untagged images older than 14 days"
        selection = {{
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = 14
        }}
        action = {{ type = "expire" }}
      }}
    ]
  }})

{common}}}
"""
    elif kind == "s3":
        body = f"""module "s3_bucket" {{
  source = "github.com/ministryofjustice/cloud-platform-terraform-s3-bucket?ref={ref}"

{common}
  versioning = true
  bucket_policy = data.aws_iam_policy_document.bucket.json
}}

data "aws_iam_policy_document" "bucket" {{
  statement {{
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = ["$${{bucket_arn}}", "$${{bucket_arn}}/*"]
    principals {{
      type        = "*"
      identifiers = ["*"]
    }}
    condition {{
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }}
  }}
}}

resource "kubernetes_secret" "s3_bucket" {{
  metadata {{
    name      = "s3-bucket-output"
    namespace = var.namespace
  }}
  data = {{
    bucket_arn  = module.s3_bucket.bucket_arn
    bucket_name = module.s3_bucket.bucket_name
  }}
}}
"""
    elif kind == "sqs":
        queues = "\n".join(
            f"""module "{q}_queue" {{
  source = "github.com/ministryofjustice/cloud-platform-terraform-sqs?ref={ref}"

  sqs_name                   = "{q}-queue"
  encrypt_sqs_kms            = "true"
  message_retention_seconds  = {rng.choice((345600, 1209600))}
  visibility_timeout_seconds = {rng.choice((30, 120, 300))}
  redrive_policy = jsonencode({{
    deadLetterTargetArn = module.{q}_dlq.sqs_arn
    maxReceiveCount     = 3
  }})

{common}  providers = {{
    aws = aws.london
  }}
}}

module "{q}_dlq" {{
  source = "github.com/ministryofjustice/cloud-platform-terraform-sqs?ref={ref}"
  sqs_name        = "{q}-dlq"
  encrypt_sqs_kms = "true"
{common}}}
"""
            for q in rng.sample(WORDS, 2)
        )
        body = queues
    elif kind == "elasticache":
        body = f"""module "elasticache_redis" {{
  source = "github.com/ministryofjustice/cloud-platform-terraform-elasticache-cluster?ref={ref}"

{common}
  number_cache_clusters  = "{rng.choice((2, 3))}"
  node_type              = "cache.t4g.{rng.choice(("micro", "small", "medium"))}"
  engine_version         = "7.0"
  parameter_group_name   = "default.redis7"
  auth_token_rotated_date = "2026-0{rng.randint(1, 9)}-15"
}}

resource "kubernetes_secret" "elasticache_redis" {{
  metadata {{
    name      = "elasticache-redis"
    namespace = var.namespace
  }}
  data = {{
    primary_endpoint_address = module.elasticache_redis.primary_endpoint_address
    auth_token               = module.elasticache_redis.auth_token
    member_clusters          = jsonencode(module.elasticache_redis.member_clusters)
  }}
}}
"""
    elif kind == "irsa":
        body = f"""module "irsa" {{
  source = "github.com/ministryofjustice/cloud-platform-terraform-irsa?ref={ref}"

  eks_cluster_name     = var.eks_cluster_name
  namespace            = var.namespace
  service_account_name = "{ns}-irsa"
  role_policy_arns = {{
    s3  = module.s3_bucket.irsa_policy_arn
    sqs = aws_iam_policy.extra.arn
  }}
{common}}}

resource "aws_iam_policy" "extra" {{
  name   = "{ns}-extra"
  policy = data.aws_iam_policy_document.extra.json
  tags = {{
    business_unit = var.business_unit
    namespace     = var.namespace
  }}
}}

data "aws_iam_policy_document" "extra" {{
  statement {{
    actions   = ["ssm:GetParameter", "ssm:GetParameters"]
    resources = ["arn:aws:ssm:eu-west-2:${{data.aws_caller_identity.current.account_id}}:parameter/{ns}/*"]
  }}
}}

data "aws_caller_identity" "current" {{}}
"""
    else:  # serviceaccount
        body = f"""module "serviceaccount" {{
  source = "github.com/ministryofjustice/cloud-platform-terraform-serviceaccount?ref={ref}"

  namespace          = var.namespace
  kubernetes_cluster = var.kubernetes_cluster
  github_repositories = ["{ns.rsplit("-", 1)[0]}"]
  github_environments = ["{ns.rsplit("-", 1)[-1]}"]
  serviceaccount_rules = [
    {{
      api_groups = [""]
      resources  = ["pods/portforward", "deployment", "secrets", "services", "configmaps", "pods"]
      verbs      = ["patch", "get", "create", "update", "delete", "list", "watch"]
    }},
    {{
      api_groups = ["extensions", "apps", "batch", "networking.k8s.io", "policy"]
      resources  = ["deployments", "ingresses", "cronjobs", "jobs", "replicasets", "poddisruptionbudgets"]
      verbs      = ["get", "update", "delete", "create", "patch", "list", "watch"]
    }}
  ]
}}
"""
    return body


MODULE_KINDS = ("rds", "ecr", "s3", "sqs", "elasticache", "irsa", "serviceaccount")


def platform(
    dest: Path, namespaces: int = 2000, tf_per_namespace: int = 6, seed: int = 1, git: bool = True
) -> tuple[int, int]:
    """Write the platform repository; returns (Terraform files, manifest files)."""
    rng = random.Random(seed)
    base = dest / "namespaces" / "live.cloud-platform.service.justice.gov.uk"
    tf_count = manifests = 0
    for n in range(namespaces):
        team = TEAMS[n % len(TEAMS)]
        env = ENVS[n % len(ENVS)]
        ns = f"{rng.choice(WORDS)}-{rng.choice(WORDS)}-{n:04d}-{env}"
        folder = base / ns
        files = {
            "00-namespace.yaml": _namespace_yaml(ns, team, env, rng),
            "01-rbac.yaml": _rbac_yaml(ns, team),
            "02-limitrange.yaml": _limitrange_yaml(ns, rng),
        }
        if n % 4 != 3:
            files["03-resourcequota.yaml"] = _quota_yaml(ns, rng)
        if n % 2 == 0:
            files["04-networkpolicy.yaml"] = _netpol_yaml(ns)
        if n % 4 == 1:
            files["05-deployment.yaml"] = _deployment_yaml(ns, rng)
        manifests += len(files)
        files["resources/main.tf"] = _MAIN_TF.format(team=team)
        files["resources/versions.tf"] = _VERSIONS_TF
        files["resources/variables.tf"] = _variables_tf(ns, team, env)
        for kind in rng.sample(MODULE_KINDS, max(0, tf_per_namespace - 3)):
            files[f"resources/{kind}.tf"] = _module_tf(kind, ns, rng)
        tf_count += sum(1 for name in files if name.endswith(".tf"))
        for name, text in files.items():
            _write(folder / name, text)
    _write(dest / "README.md", "# Cloud platform environments (synthetic)\n\nOne folder per namespace.\n")
    _write(dest / "LICENSE", "MIT License\n\nCopyright (c) 2026 Crown Copyright\n")
    if git:
        _git_init(dest)
    return tf_count, manifests


# --- the module repository ------------------------------------------------------------------


def _variable_block(name: str, rng: random.Random) -> str:
    kind = rng.choice(("string", "bool", "number", "list(string)", "map(string)", "any", "object"))
    if kind == "object":
        return (
            f'variable "{name}" {{\n  description = "Configuration for {name.replace("_", " ")}"\n'
            "  type = object({\n    enabled = optional(bool, true)\n    name    = optional(string)\n"
            "    tags    = optional(map(string), {})\n    rules   = optional(list(object({\n"
            '      port     = number\n      protocol = optional(string, "tcp")\n    })), [])\n  })\n  default = '
            "null\n}\n"
        )
    default = {
        "string": "null",
        "bool": rng.choice(("true", "false")),
        "number": str(rng.randint(1, 600)),
        "list(string)": "[]",
        "map(string)": "{}",
        "any": "{}",
    }[kind]
    return f'variable "{name}" {{\n  description = "Determines {name.replace("_", " ")}"\n  type        = {kind}\n  default     = {default}\n}}\n'


def _resource_block(prefix: str, i: int, rng: random.Random) -> str:
    name = f"{prefix}_{i}"
    return f"""resource "aws_iam_role" "{name}" {{
  count = local.create && var.create_{name} ? 1 : 0

  name        = var.{name}_use_name_prefix ? null : "${{var.cluster_name}}-{name}"
  name_prefix = var.{name}_use_name_prefix ? "${{var.cluster_name}}-{name}-" : null
  path        = var.iam_role_path
  description = coalesce(var.iam_role_description, "EKS {name} role")

  assume_role_policy    = data.aws_iam_policy_document.{name}[0].json
  permissions_boundary  = var.iam_role_permissions_boundary
  force_detach_policies = true

  tags = merge(var.tags, var.iam_role_tags, {{ "Name" = "{name}" }})
}}

data "aws_iam_policy_document" "{name}" {{
  count = local.create && var.create_{name} ? 1 : 0

  statement {{
    sid     = "EKSClusterAssumeRole"
    actions = ["sts:AssumeRole", "sts:TagSession"]

    principals {{
      type        = "Service"
      identifiers = ["eks.${{data.aws_partition.current.dns_suffix}}"]
    }}
  }}

  dynamic "statement" {{
    for_each = var.{name}_statements != null ? var.{name}_statements : []

    content {{
      sid           = try(statement.value.sid, null)
      actions       = try(statement.value.actions, null)
      not_actions   = try(statement.value.not_actions, null)
      effect        = try(statement.value.effect, null)
      resources     = try(statement.value.resources, null)

      dynamic "condition" {{
        for_each = try(statement.value.conditions, [])
        content {{
          test     = condition.value.test
          values   = condition.value.values
          variable = condition.value.variable
        }}
      }}
    }}
  }}
}}

resource "aws_iam_role_policy_attachment" "{name}" {{
  for_each = {{ for k, v in {{
    AmazonEKSClusterPolicy         = "${{local.iam_role_policy_prefix}}/AmazonEKSClusterPolicy"
    AmazonEKSVPCResourceController = "${{local.iam_role_policy_prefix}}/AmazonEKSVPCResourceController"
  }} : k => v if local.create && var.create_{name} }}

  policy_arn = each.value
  role       = aws_iam_role.{name}[0].name
}}

resource "aws_security_group_rule" "{name}" {{
  for_each = {{ for k, v in merge(local.{prefix}_rules, var.{name}_additional_rules) : k => v if local.create_{prefix}_sg }}

  security_group_id        = aws_security_group.{prefix}[0].id
  protocol                 = each.value.protocol
  from_port                = each.value.from_port
  to_port                  = each.value.to_port
  type                     = each.value.type
  description              = lookup(each.value, "description", null)
  cidr_blocks              = lookup(each.value, "cidr_blocks", null)
  ipv6_cidr_blocks         = lookup(each.value, "ipv6_cidr_blocks", null)
  prefix_list_ids          = lookup(each.value, "prefix_list_ids", [])
  self                     = lookup(each.value, "self", null)
  source_security_group_id = try(each.value.source_node_security_group, false) ? local.node_security_group_id : lookup(each.value, "source_security_group_id", null)
}}
"""


def _locals_block(prefix: str, rng: random.Random) -> str:
    rules = "\n".join(
        f"""    ingress_{p}_{i} = {{
      description = "Node groups to cluster API on {p}"
      protocol    = "tcp"
      from_port   = {p}
      to_port     = {p}
      type        = "ingress"
      source_node_security_group = true
    }}"""
        for i, p in enumerate(rng.sample((443, 4443, 6443, 8443, 9443, 10250, 53, 10251), 4))
    )
    return f"""locals {{
  create_{prefix}_sg = local.create && var.create_{prefix}_security_group
  {prefix}_sg_name   = coalesce(var.{prefix}_security_group_name, "${{var.cluster_name}}-{prefix}")
  {prefix}_rules = {{
{rules}
  }}
  {prefix}_tags = merge(var.tags, {{ for k, v in var.{prefix}_tags : k => v if !contains(["Name"], k) }})
}}
"""


def _outputs_block(prefix: str, i: int) -> str:
    return f"""output "{prefix}_{i}_arn" {{
  description = "The Amazon Resource Name (ARN) of the {prefix} {i}"
  value       = try(aws_iam_role.{prefix}_{i}[0].arn, null)
}}

output "{prefix}_{i}_name" {{
  description = "The name of the {prefix} {i}"
  value       = try(aws_iam_role.{prefix}_{i}[0].name, null)
}}
"""


def module(dest: Path, files: int = 87, target_bytes: int = 520_000, seed: int = 2) -> tuple[int, int]:
    """Write the module repository; returns (files, bytes)."""
    rng = random.Random(seed)
    folders = [""] + [
        f"modules/{m}"
        for m in (
            "eks-managed-node-group",
            "self-managed-node-group",
            "fargate-profile",
            "karpenter",
            "hybrid-node-role",
            "_user_data",
        )
    ]
    folders += [
        f"examples/{e}"
        for e in (
            "eks-auto-mode",
            "eks-managed-node-group",
            "self-managed-node-group",
            "karpenter",
            "eks-hybrid-nodes",
            "fargate-profile",
            "outposts",
            "user-data",
            "complete",
            "bottlerocket",
            "ipv6",
            "capabilities",
        )
    ]
    folders += [
        f"tests/{t}"
        for t in ("eks-auto-mode", "eks-managed-node-group", "fast-addons", "self-managed-node-group", "user-data")
    ]
    plan: list[tuple[str, str]] = []
    for folder in folders:
        for kind in ("main", "variables", "outputs", "versions"):
            plan.append((folder, kind))
    plan = plan[:files]
    weights = [
        0 if kind == "versions" else 6 if folder == "" else 2 if folder.startswith("modules") else 1
        for folder, kind in plan
    ]
    unit = (target_bytes - 600 * weights.count(0)) / max(1, sum(weights))
    written = 0
    for index, (folder, kind) in enumerate(plan):
        prefix = (folder.rsplit("/", 1)[-1] or "cluster").replace("-", "_").strip("_") or "user_data"
        budget = unit * weights[index]
        parts: list[str] = []
        size = 0
        i = 0
        while size < budget:
            if kind == "main":
                part = _resource_block(prefix, i, rng) + (_locals_block(prefix + str(i), rng) if i % 2 == 0 else "")
            elif kind == "variables":
                part = _variable_block(f"{prefix}_{i}_{rng.choice(WORDS)}", rng)
            elif kind == "outputs":
                part = _outputs_block(prefix, i)
            else:
                part = _VERSIONS_TF
                budget = 0
            parts.append(part)
            size += len(part)
            i += 1
        text = "\n".join(parts)
        _write(dest / folder / f"{kind}.tf", text)
        written += len(text.encode("utf-8"))
    _write(dest / "README.md", "# AWS EKS Terraform module (synthetic)\n")
    _write(dest / "LICENSE", "Apache License\nVersion 2.0, January 2004\n")
    return len(plan), written


def module_chain(dest: Path, roots: int = 200, depth: int = 4) -> int:
    """Roots that each call a chain of ``depth`` local modules (level 1 calls level 2 ...), each
    level passing its inputs on: the cost of module evaluation as depth grows. Returns files."""
    for level in range(1, depth + 1):
        folder = dest / "modules" / f"level{level}"
        _write(
            folder / "variables.tf",
            'variable "name" {\n  type = string\n}\n\nvariable "region" {\n  type = string\n}\n\n'
            'variable "tags" {\n  type    = map(string)\n  default = {}\n}\n',
        )
        call = (
            f'module "next" {{\n  source = "../level{level + 1}"\n  name   = "${{var.name}}-{level}"\n'
            f'  region = var.region\n  tags   = merge(var.tags, {{ level = "{level}" }})\n}}\n\n'
            if level < depth
            else ""
        )
        _write(
            folder / "main.tf",
            call
            + f'resource "aws_s3_bucket" "store" {{\n  bucket = "${{var.name}}-store-{level}"\n  tags   = var.tags\n}}\n\n'
            'resource "aws_s3_bucket_public_access_block" "store" {\n  bucket                  = aws_s3_bucket.store.id\n'
            "  block_public_acls       = true\n  block_public_policy     = true\n  ignore_public_acls      = true\n"
            "  restrict_public_buckets = true\n}\n\n"
            'resource "aws_kms_key" "store" {\n  description         = "${var.name} level key"\n'
            '  enable_key_rotation = var.region == "eu-west-2"\n  tags                = var.tags\n}\n',
        )
        _write(folder / "outputs.tf", 'output "bucket" {\n  value = aws_s3_bucket.store.id\n}\n')
    for index in range(roots):
        _write(
            dest / "roots" / f"r{index:04d}" / "main.tf",
            'provider "aws" {\n  region = "eu-west-2"\n}\n\n'
            f'module "chain" {{\n  source = "../../modules/level1"\n  name   = "service-{index}"\n'
            f'  region = "eu-west-2"\n  tags   = {{ team = "team-{index % 17}", cost_centre = "cc-{index % 5}" }}\n}}\n',
        )
    _git_init(dest)
    return roots + 3 * depth


def _git_init(dest: Path) -> None:
    run = lambda *args: subprocess.run(["git", "-C", str(dest), *args], check=True, capture_output=True)  # noqa: E731
    run("init", "-q")
    run("add", "-A")
    run("-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "commit", "-q", "-m", "synthetic")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=("platform", "module"))
    parser.add_argument("dest", type=Path)
    parser.add_argument("--namespaces", type=int, default=2000)
    parser.add_argument("--no-git", action="store_true")
    args = parser.parse_args()
    if args.kind == "platform":
        print(platform(args.dest, args.namespaces, git=not args.no_git))
    else:
        print(module(args.dest))


if __name__ == "__main__":
    main()
