import type { AudienceExpr, DeliveryPolicy } from './snapshot';

/** O(1) membership test of the requesting listener in a user package, supplied by the caller. */
export type Membership = (packageKey: string) => boolean;

export interface AudienceExprError {
  /** JSONPath of the offending node, e.g. `$.and[1].not.package`. */
  readonly path: string;
  readonly message: string;
}

const MAX_DEPTH = 32;

/**
 * Structural validation of an audience expression as operators send it over REST (untrusted JSON).
 * knownPackages: package keys that exist. Returns every error with its JSONPath; [] means valid.
 */
export function validateAudienceExpr(expr: unknown, knownPackages: ReadonlySet<string> | ((key: string) => boolean)): AudienceExprError[] {
  const isKnown = typeof knownPackages === 'function' ? knownPackages : (k: string) => knownPackages.has(k);
  const errors: AudienceExprError[] = [];
  const walk = (node: unknown, path: string, depth: number): void => {
    if (depth > MAX_DEPTH) {
      errors.push({ path, message: `nesting deeper than ${MAX_DEPTH}` });
      return;
    }
    if (node === 'everyone') return;
    if (node === null || typeof node !== 'object' || Array.isArray(node)) {
      errors.push({ path, message: "expected 'everyone' or an object with one of package, and, or, not" });
      return;
    }
    const keys = Object.keys(node);
    if (keys.length !== 1) {
      errors.push({ path, message: `expected exactly one of package, and, or, not; got ${keys.length === 0 ? 'none' : keys.join(', ')}` });
      return;
    }
    const key = keys[0];
    const value = (node as Record<string, unknown>)[key];
    switch (key) {
      case 'package':
        if (typeof value !== 'string' || value.length === 0) errors.push({ path: `${path}.package`, message: 'package must be a non-empty string' });
        else if (!isKnown(value)) errors.push({ path: `${path}.package`, message: `unknown package ${value}` });
        return;
      case 'and':
      case 'or':
        if (!Array.isArray(value) || value.length === 0) {
          errors.push({ path: `${path}.${key}`, message: `${key} must be a non-empty array` });
          return;
        }
        value.forEach((child, i) => walk(child, `${path}.${key}[${i}]`, depth + 1));
        return;
      case 'not':
        walk(value, `${path}.not`, depth + 1);
        return;
      default:
        errors.push({ path: `${path}.${key}`, message: `unknown operator ${key}` });
    }
  };
  walk(expr, '$', 0);
  return errors;
}

/**
 * Evaluates a (validated) expression for one listener with short-circuit and/or.
 * Cost: one membership call per visited package leaf.
 */
export function evaluateAudience(expr: AudienceExpr, membership: Membership): boolean {
  if (expr === 'everyone') return true;
  if ('package' in expr) return membership(expr.package);
  if ('and' in expr) {
    for (const child of expr.and) if (!evaluateAudience(child, membership)) return false;
    return true;
  }
  if ('or' in expr) {
    for (const child of expr.or) if (evaluateAudience(child, membership)) return true;
    return false;
  }
  return !evaluateAudience(expr.not, membership);
}

/** Key-order-independent serialisation used to compare expressions for identity. */
function canonical(expr: AudienceExpr): string {
  if (expr === 'everyone') return 'everyone';
  if ('package' in expr) return `p(${JSON.stringify(expr.package)})`;
  if ('and' in expr) return `and(${expr.and.map(canonical).join(',')})`;
  if ('or' in expr) return `or(${expr.or.map(canonical).join(',')})`;
  return `not(${canonical(expr.not)})`;
}

export interface ShadowWarning {
  readonly branchIndex: number;
  readonly shadowedByIndex: number;
  /**
   * true: the later branch can never fire (its audience is covered and its campaigns are a subset of the
   * earlier branch's, so whenever it has an eligible candidate the earlier one has too).
   * false: it fires only when none of the earlier branch's campaigns is eligible.
   */
  readonly isFull: boolean;
  readonly message: string;
}

/**
 * Conservative shadowing lint for a policy: an earlier branch hides a later one only if its audience is
 * 'everyone' or identical (canonical form) to the later one. No set-algebra reasoning, so no false alarms.
 */
export function findShadowedBranches(policy: DeliveryPolicy): ShadowWarning[] {
  const warnings: ShadowWarning[] = [];
  const forms = policy.branches.map((b) => canonical(b.audience));
  policy.branches.forEach((later, j) => {
    for (let i = 0; i < j; i++) {
      const earlier = policy.branches[i];
      if (forms[i] !== 'everyone' && forms[i] !== forms[j]) continue;
      const earlierIds = new Set(earlier.campaignIds);
      const isFull = later.campaignIds.every((id) => earlierIds.has(id));
      warnings.push({
        branchIndex: j,
        shadowedByIndex: i,
        isFull,
        message: isFull
          ? `branch "${later.name}" never fires: branch "${earlier.name}" covers its audience and its campaigns`
          : `branch "${later.name}" fires only when no campaign of branch "${earlier.name}" is eligible`,
      });
      return;
    }
  });
  return warnings;
}
