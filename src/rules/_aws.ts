// Shared by the AWS rules (least-privilege, defence-in-depth, audit-logging, metadata-api): the
// exact AWS CLI command and Terraform snippet that fix a finding, and small readers. Pure.
import type { LoadedObject, NotAssessed } from '../core/types.js';
import type { ClusterState } from '../model/cluster-state.js';
import { AWS_KINDS, regionOfArn, specOf } from '../analysis/identity/aws.js';
import type { Grant } from '../analysis/identity/aws-iam.js';
import type { RoleBinding } from '../analysis/identity/aws.js';
import { listPods } from '../analysis/identity/pod-service-accounts.js';
import type { NodeImds } from '../analysis/metadata/aws-nodes.js';

export { AWS_KINDS, specOf };

/** The Terraform resource name for an AWS name ("shop-prod" -> "shop_prod"). */
export function tfName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(s) ? s : `_${s}`;
}

/** " --region eu-west-1" when the object's ARN names a region. */
export function regionFlag(o: LoadedObject): string {
  const s = specOf(o);
  const r = regionOfArn(s.arn ?? s.nodegroupArn ?? s.TrailARN ?? s.logGroupArn);
  return r ? ` --region ${r}` : '';
}

/** True when the whole listing of a kind is missing (so "there is none" cannot be concluded). */
export function listingMissing(state: ClusterState, kind: string): boolean {
  return state.notAssessed.some((n: NotAssessed) => n.what === kind);
}

/** True when an AWS description is loaded at all. */
export function hasAwsContext(state: ClusterState): boolean {
  return Object.values(AWS_KINDS).some((k) => state.ofKind(k).length > 0);
}

/** "Deployment shop/storefront, Pod shop/x -> ServiceAccount shop/storefront (IRSA) -> IAM role R". */
export function chain(b: RoleBinding, roleName: string): string {
  if (b.via === 'node') return `every pod on ${b.label.replace(' (node instance role)', '')} that reaches IMDS (all hostNetwork pods) -> node instance role ${roleName}`;
  return `${listPods(b.pods)} -> ${b.label} -> IAM role ${roleName}`;
}

/** Words for a grant: "allows * on * (administrator access to the whole account) in policy AdministratorAccess". */
export function grantText(g: Grant): string {
  const cond = g.conditional ? ' (under a Condition)' : '';
  const builtIn = g.policy.builtIn ? ", judged from kubeward's copy of this AWS managed policy" : '';
  return `allows ${g.action} on ${g.resource}${cond}: ${g.why} (${g.policy.kind === 'inline' ? 'inline policy' : 'policy'} ${g.policy.name}${builtIn})`;
}

export function roleFix(roleName: string, g: Grant): { cli: string; terraform: string } {
  if (g.policy.kind === 'managed' && g.policy.arn) {
    return {
      cli: `aws iam detach-role-policy --role-name ${roleName} --policy-arn ${g.policy.arn}   # then attach a policy scoped to the actions and resources the workload uses`,
      terraform: `# remove the aws_iam_role_policy_attachment of ${g.policy.arn} to ${roleName}; attach a scoped policy instead:\nresource "aws_iam_role_policy" "${tfName(roleName)}_scoped" {\n  role   = "${roleName}"\n  policy = data.aws_iam_policy_document.${tfName(roleName)}_scoped.json\n}`,
    };
  }
  return {
    cli: `aws iam put-role-policy --role-name ${roleName} --policy-name ${g.policy.name} --policy-document file://scoped-policy.json   # list only the actions and resource ARNs the workload uses`,
    terraform: `resource "aws_iam_role_policy" "${tfName(roleName)}_${tfName(g.policy.name)}" {\n  role   = "${roleName}"\n  name   = "${g.policy.name}"\n  policy = data.aws_iam_policy_document.${tfName(g.policy.name)}_scoped.json   # no "*" actions or resources\n}`,
  };
}

/** Severity of a grant reachable from pods. */
export function grantSeverity(g: Grant): 'critical' | 'high' | 'medium' {
  if (g.level === 'admin' || g.level === 'all-but') return 'critical';
  if (g.level === 'escalation' || g.sensitive) return 'high';
  return 'medium';
}

/** The aws CLI command and Terraform block that set IMDS options where the offending value comes from. */
export function imdsFix(n: NodeImds, tokens: 'required', hop: number): { awsCli: string; terraform: string } {
  const lt = n.launchTemplate ? specOf(n.launchTemplate) : undefined;
  const ng = n.subject.ref.kind === 'EKSNodegroup' ? n.subject.ref.name : undefined;
  const mo = `HttpTokens=${tokens},HttpPutResponseHopLimit=${hop},HttpEndpoint=enabled`;
  if (n.tokens?.source === 'account-default' || n.hopLimit?.source === 'account-default') {
    return {
      awsCli: `aws ec2 modify-instance-metadata-defaults --http-tokens ${tokens} --http-put-response-hop-limit ${hop}   # new instances; existing ones: aws ec2 modify-instance-metadata-options --instance-id ID --http-tokens ${tokens} --http-put-response-hop-limit ${hop}`,
      terraform: `resource "aws_ec2_instance_metadata_defaults" "this" {\n  http_tokens                 = "${tokens}"\n  http_put_response_hop_limit = ${hop}\n}`,
    };
  }
  if (n.subject.ref.kind === 'EC2NodeClass') {
    const patch = JSON.stringify({ spec: { metadataOptions: { httpEndpoint: 'enabled', httpTokens: tokens, httpPutResponseHopLimit: hop } } });
    return {
      awsCli: `kubectl patch ec2nodeclass ${n.subject.ref.name} --type merge -p '${patch}'   # Karpenter replaces drifted nodes with ones launched with these options`,
      terraform: `# Karpenter EC2NodeClass ${n.subject.ref.name} (in the manifest or the kubernetes_manifest that defines it):\nspec:\n  metadataOptions:\n    httpEndpoint: enabled\n    httpTokens: ${tokens}\n    httpPutResponseHopLimit: ${hop}`,
    };
  }
  if (n.subject.ref.kind === 'EC2Instance') {
    return {
      awsCli: `aws ec2 modify-instance-metadata-options --instance-id ${n.subject.ref.name} --http-tokens ${tokens} --http-put-response-hop-limit ${hop}   # and fix the launch template or EC2NodeClass that creates such nodes`,
      terraform: `metadata_options {   # in the aws_launch_template (or Karpenter EC2NodeClass metadataOptions) of these nodes\n  http_endpoint               = "enabled"\n  http_tokens                 = "${tokens}"\n  http_put_response_hop_limit = ${hop}\n}`,
    };
  }
  const ltId = lt?.LaunchTemplateId ?? 'LAUNCH_TEMPLATE_ID';
  return {
    awsCli:
      `aws ec2 create-launch-template-version --launch-template-id ${ltId}${lt ? ` --source-version ${lt.VersionNumber}` : ''} --launch-template-data '{"MetadataOptions":{"HttpTokens":"${tokens}","HttpPutResponseHopLimit":${hop},"HttpEndpoint":"enabled"}}'` +
      (ng ? ` && aws eks update-nodegroup-version --cluster-name ${n.cluster || 'CLUSTER'} --nodegroup-name ${ng} --launch-template id=${ltId},version=NEW_VERSION` : '') +
      `   # (${mo})`,
    terraform: `resource "aws_launch_template" "${tfName(lt?.LaunchTemplateName ?? ng ?? 'nodes')}" {\n  metadata_options {\n    http_endpoint               = "enabled"\n    http_tokens                 = "${tokens}"\n    http_put_response_hop_limit = ${hop}\n  }\n}`,
  };
}

