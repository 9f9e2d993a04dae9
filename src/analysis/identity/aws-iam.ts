// IAM policy semantics needed to judge roles reachable from pods: which statements grant
// administrator access, whole-service wildcards or privilege-escalation actions on all resources,
// and whether a web-identity trust policy is pinned to one Kubernetes service account. Pure.
//
// Semantics (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html,
// reference_policies_evaluation-logic.html): a request is allowed when some Allow statement matches
// it and no Deny statement does. Action/NotAction and Resource/NotResource are case-insensitive
// (actions) glob patterns with * and ?; `NotAction` in an Allow grants every action it does not
// list. Conditions narrow a statement: grants under a Condition are reported as conditional.
import type { LoadedObject, ObjPath } from '../../core/types.js';
import { knownManagedPolicy } from './aws-managed-policies.js';

export interface Statement {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: unknown;
  NotPrincipal?: unknown;
  Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

/** A policy attached to (or embedded in) a role, with where its document is. */
export interface RolePolicy {
  kind: 'managed' | 'inline';
  name: string;
  arn?: string;
  document?: unknown;
  /** Path of the document inside the role object (e.g. ['spec', 'attachedPolicies', 0, 'Document']). */
  path: ObjPath;
  /** The document is kubeward's built-in copy of a well-known AWS managed policy. */
  builtIn?: boolean;
}

export interface LocatedStatement {
  st: Statement;
  /** Path of the statement inside the role object. */
  path: ObjPath;
}

const asList = (v: unknown): string[] => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The statements of a policy document with their paths (Statement may be one object or a list). */
export function statementsOf(doc: unknown, docPath: ObjPath): LocatedStatement[] {
  if (doc === null || typeof doc !== 'object') return [];
  const st = (doc as { Statement?: unknown }).Statement;
  if (Array.isArray(st)) return st.flatMap((s, i) => (s && typeof s === 'object' ? [{ st: s as Statement, path: [...docPath, 'Statement', i] }] : []));
  if (st && typeof st === 'object') return [{ st: st as Statement, path: [...docPath, 'Statement'] }];
  return [];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Spec = Record<string, any>;

/** Attached and inline policies of an IAMRole object (documents from the description or built in). */
export function rolePolicies(role: LoadedObject): { policies: RolePolicy[]; missing: string[] } {
  const spec = ((role.obj as { spec?: Spec }).spec ?? {}) as Spec;
  const policies: RolePolicy[] = [];
  const missing: string[] = [];
  if (Array.isArray(spec.attachedPolicies)) {
    spec.attachedPolicies.forEach((p: Spec, i: number) => {
      if (!p || typeof p !== 'object') return;
      const name = String(p.PolicyName ?? p.PolicyArn ?? `#${i}`);
      const arn = typeof p.PolicyArn === 'string' ? p.PolicyArn : undefined;
      if (p.Document !== undefined) policies.push({ kind: 'managed', name, arn, document: p.Document, path: ['spec', 'attachedPolicies', i, 'Document'] });
      else {
        const known = arn ? knownManagedPolicy(arn) : undefined;
        if (known) policies.push({ kind: 'managed', name, arn, document: known, path: ['spec', 'attachedPolicies', i], builtIn: true });
        else missing.push(arn ?? name);
      }
    });
  }
  if (Array.isArray(spec.inlinePolicies)) {
    spec.inlinePolicies.forEach((p: Spec, i: number) => {
      if (p && typeof p === 'object') policies.push({ kind: 'inline', name: String(p.PolicyName ?? `#${i}`), document: p.PolicyDocument, path: ['spec', 'inlinePolicies', i, 'PolicyDocument'] });
    });
  }
  if (Array.isArray(spec.inlinePolicyNames)) {
    const have = new Set(policies.filter((p) => p.kind === 'inline').map((p) => p.name));
    for (const n of spec.inlinePolicyNames) if (typeof n === 'string' && !have.has(n)) missing.push(`inline policy ${n}`);
  }
  return { policies, missing };
}

/** IAM glob (* and ?), case-insensitive for actions. */
export function globMatch(pattern: string, value: string, ignoreCase = true): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, ignoreCase ? 'i' : '');
  return re.test(value);
}

function actionCovered(st: Statement, action: string): boolean {
  if (st.Action !== undefined) return asList(st.Action).some((p) => globMatch(p, action));
  if (st.NotAction !== undefined) return !asList(st.NotAction).some((p) => globMatch(p, action));
  return false;
}

/** Resource "*" (or NotResource, which grants nearly everything), or a pattern whose resource part is all-wildcard. */
export function broadResource(st: Statement): string | undefined {
  if (st.NotResource !== undefined) return `NotResource ${asList(st.NotResource).join(', ')}`;
  for (const r of asList(st.Resource)) {
    if (r === '*' || r === 'arn:*' || /^arn:aws[a-z-]*:\*/.test(r)) return r;
    // arn:aws:iam::*:role/*, arn:aws:s3:::*, arn:aws:iam::123456789012:role/* : every resource of its type
    const m = /^arn:aws[a-z-]*:[a-z0-9-]+:[^:]*:[^:]*:(.*)$/.exec(r);
    if (m && /^(\*|(role|user|group|policy|instance-profile|instance|key|alias|parameter|secret|table|cluster|function|volume|snapshot|image|network-interface|repository|log-group)[/:]\*)$/i.test(m[1])) return r;
  }
  return undefined;
}

/** Actions that let the holder raise its own privileges or take over other identities. */
export const ESCALATION_ACTIONS: Readonly<Record<string, string>> = Object.freeze({
  'iam:PassRole': 'can hand any role to a service it controls (EC2, Lambda, ...) and act with that role',
  'iam:CreatePolicyVersion': 'can rewrite customer managed policies, including its own',
  'iam:SetDefaultPolicyVersion': 'can switch a policy to a more permissive version',
  'iam:AttachRolePolicy': 'can attach any policy (AdministratorAccess) to a role',
  'iam:PutRolePolicy': 'can write an inline admin policy on a role',
  'iam:AttachUserPolicy': 'can attach any policy to a user',
  'iam:PutUserPolicy': 'can write an inline policy on a user',
  'iam:AttachGroupPolicy': 'can attach any policy to a group',
  'iam:PutGroupPolicy': 'can write an inline policy on a group',
  'iam:AddUserToGroup': 'can join a more privileged group',
  'iam:UpdateAssumeRolePolicy': 'can make any role trust itself',
  'iam:CreateAccessKey': 'can mint long-lived keys for other users',
  'iam:CreateLoginProfile': 'can set console passwords for other users',
  'iam:UpdateLoginProfile': 'can reset console passwords of other users',
  'sts:AssumeRole': 'can assume every role that trusts this account',
  'secretsmanager:GetSecretValue': 'can read every secret in Secrets Manager',
  'ssm:GetParameters': 'can read every SSM parameter (often secrets)',
  'kms:Decrypt': 'can decrypt with every KMS key whose policy allows the account',
  'ec2:ModifyInstanceMetadataOptions': 'can re-enable IMDSv1 and raise hop limits on every instance',
  'eks:UpdateClusterConfig': 'can turn off control-plane logging and open the API endpoint',
  'eks:CreateAccessEntry': 'can grant itself access to every EKS cluster',
  'eks:AssociateAccessPolicy': 'can make any principal cluster admin',
});

/** Services where `service:*` on every resource is as good as admin of the account or of its data. */
const SENSITIVE_SERVICES = new Set(['iam', 'sts', 'organizations', 'kms', 'secretsmanager', 'ssm', 's3', 'ec2', 'eks', 'lambda', 'dynamodb', 'rds', 'cloudtrail', 'logs', 'ecr', 'cloudformation']);

export type GrantLevel = 'admin' | 'all-but' | 'service-wildcard' | 'escalation';

export interface Grant {
  level: GrantLevel;
  /** What is granted, e.g. "*", "s3:*", "iam:PassRole", "all actions except iam:*". */
  action: string;
  resource: string;
  why: string;
  policy: RolePolicy;
  /** Statement path inside the role object (or the attached policy entry for built-in documents). */
  path: ObjPath;
  conditional: boolean;
  /** The service wildcard is on a sensitive service. */
  sensitive?: boolean;
}

function denied(statements: LocatedStatement[], action: string): boolean {
  return statements.some(({ st }) => st.Effect === 'Deny' && !st.Condition && actionCovered(st, action) && asList(st.Resource).includes('*'));
}

/**
 * Statements of a role that grant administrator access, whole-service wildcards on all resources,
 * or escalation actions on all resources. One grant per statement and finding class.
 */
export function broadGrants(role: LoadedObject): { grants: Grant[]; missing: string[] } {
  const { policies, missing } = rolePolicies(role);
  const all: Array<LocatedStatement & { policy: RolePolicy }> = [];
  for (const p of policies) for (const s of statementsOf(p.document, p.builtIn ? [] : p.path)) all.push({ ...s, policy: p, path: p.builtIn ? p.path : s.path });
  const grants: Grant[] = [];
  for (const { st, path, policy } of all) {
    if (st.Effect !== 'Allow') continue;
    const resource = broadResource(st);
    if (!resource) continue;
    const conditional = st.Condition !== undefined && Object.keys(st.Condition).length > 0;
    const base = { resource, policy, path, conditional };
    if (st.NotAction !== undefined) {
      const except = asList(st.NotAction);
      if (except.length === 0) continue;
      grants.push({ ...base, level: 'all-but', action: `every action except ${except.join(', ')}`, why: 'grants nearly every action of every service' });
      continue;
    }
    const actions = asList(st.Action);
    if (actions.some((a) => a === '*' || a === '*:*')) {
      const denyAll = all.some((d) => d.st.Effect === 'Deny' && !d.st.Condition && asList(d.st.Action).includes('*') && asList(d.st.Resource).includes('*'));
      if (!denyAll) grants.push({ ...base, level: 'admin', action: '*', why: 'administrator access to the whole account' });
      continue;
    }
    for (const a of actions) {
      const m = /^([a-z0-9-]+):\*$/i.exec(a);
      if (m) {
        const svc = m[1].toLowerCase();
        grants.push({ ...base, level: 'service-wildcard', action: a, why: `every ${svc} action on every resource`, sensitive: SENSITIVE_SERVICES.has(svc) });
      }
    }
    for (const [action, why] of Object.entries(ESCALATION_ACTIONS)) {
      if (actions.some((a) => /^([a-z0-9-]+):\*$/i.test(a) && globMatch(a, action))) continue; // already reported as a service wildcard
      if (actionCovered(st, action) && !denied(all, action)) grants.push({ ...base, level: 'escalation', action, why });
    }
  }
  return { grants, missing };
}

// ---------------------------------------------------------------------------------------------
// Trust policies of IRSA roles (sts:AssumeRoleWithWebIdentity from an EKS OIDC provider).

export interface TrustProblem {
  kind: 'open-principal' | 'no-sub' | 'wildcard-sub' | 'no-aud';
  detail: string;
  path: ObjPath;
  /** The OIDC issuer host the statement trusts, when it is one. */
  issuer?: string;
}

/** Federated principals of a statement that are OIDC providers: host/path after "oidc-provider/". */
function oidcIssuers(st: Statement): string[] {
  const p = st.Principal;
  const fed = p && typeof p === 'object' ? asList((p as { Federated?: unknown }).Federated) : [];
  return fed.flatMap((f) => {
    const i = f.indexOf(':oidc-provider/');
    return i >= 0 ? [f.slice(i + 15)] : [];
  });
}

function allowsWebIdentity(st: Statement): boolean {
  return st.Effect === 'Allow' && actionCovered(st, 'sts:AssumeRoleWithWebIdentity');
}

/** Values a condition key is tested against, per operator. */
function conditionValues(st: Statement, key: string): Array<{ op: string; values: string[]; at: ObjPath }> {
  const out: Array<{ op: string; values: string[]; at: ObjPath }> = [];
  for (const [op, block] of Object.entries(st.Condition ?? {})) {
    if (!block || typeof block !== 'object') continue;
    for (const [k, v] of Object.entries(block)) {
      if (k.toLowerCase() === key.toLowerCase()) out.push({ op, values: asList(v), at: ['Condition', op, k] });
    }
  }
  return out;
}

/** Statements of a trust policy that let an OIDC identity assume the role, and how well they are pinned. */
export function webIdentityTrust(role: LoadedObject): { statements: Array<{ st: Statement; path: ObjPath; issuers: string[]; subjects: string[] }>; problems: TrustProblem[] } {
  const spec = ((role.obj as { spec?: Spec }).spec ?? {}) as Spec;
  const stmts = statementsOf(spec.AssumeRolePolicyDocument, ['spec', 'AssumeRolePolicyDocument']);
  const statements: Array<{ st: Statement; path: ObjPath; issuers: string[]; subjects: string[] }> = [];
  const problems: TrustProblem[] = [];
  for (const { st, path } of stmts) {
    if (!allowsWebIdentity(st)) continue;
    const p = st.Principal;
    const everyone = p === '*' || (p && typeof p === 'object' && (asList((p as { Federated?: unknown }).Federated).includes('*') || asList((p as { AWS?: unknown }).AWS).includes('*')));
    const issuers = oidcIssuers(st);
    const subjects: string[] = [];
    if (everyone) {
      problems.push({ kind: 'open-principal', detail: 'Principal "*": any web identity can assume the role', path: [...path, 'Principal'] });
      statements.push({ st, path, issuers, subjects });
      continue;
    }
    for (const issuer of issuers) {
      const subs = conditionValues(st, `${issuer}:sub`);
      const auds = conditionValues(st, `${issuer}:aud`);
      const pinnedSub = subs.filter((c) => !/IfExists$/.test(c.op));
      if (pinnedSub.length === 0) {
        problems.push({ kind: 'no-sub', detail: `no condition on ${issuer}:sub: every service account of the cluster (any token of this issuer) can assume the role`, path, issuer });
      } else {
        for (const c of pinnedSub) {
          subjects.push(...c.values);
          const wild = c.values.filter((v) => /Like/i.test(c.op) && /[*?]/.test(v));
          if (wild.length > 0) problems.push({ kind: 'wildcard-sub', detail: `${c.op} ${wild.join(', ')} on ${issuer}:sub matches more than one service account`, path: [...path, ...c.at], issuer });
        }
      }
      if (auds.filter((c) => !/IfExists$/.test(c.op)).length === 0) {
        problems.push({ kind: 'no-aud', detail: `no condition on ${issuer}:aud = sts.amazonaws.com`, path, issuer });
      }
    }
    statements.push({ st, path, issuers, subjects });
  }
  return { statements, problems };
}

/** Trust statements allowing the EKS Pod Identity service (pods.eks.amazonaws.com). */
export function trustsPodIdentity(role: LoadedObject): boolean {
  const spec = ((role.obj as { spec?: Spec }).spec ?? {}) as Spec;
  return statementsOf(spec.AssumeRolePolicyDocument, []).some(({ st }) => {
    const p = st.Principal;
    return st.Effect === 'Allow' && p !== null && typeof p === 'object' && asList((p as { Service?: unknown }).Service).includes('pods.eks.amazonaws.com');
  });
}
