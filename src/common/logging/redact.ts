/**
 * What never reaches a log line: credentials a client put in a query string (`?api_key=`,
 * `?access_token=`) and credential headers. The service refuses keys in the query string
 * (401), but the request is logged all the same, so its URL is cleaned first.
 */
export const REDACTED = '[redacted]';

/** Query parameter names that may carry a credential: matched anywhere in the name, any case. */
const CREDENTIAL_NAME = /key|token|secret|pass|pwd|auth|sig|session|credential|jwt|bearer|cookie/i;

/** The URL with the value of every credential-like query parameter replaced; the rest as sent. */
export function redactUrl(url: string): string {
  const question = url.indexOf('?');
  if (question < 0) return url;
  const hash = url.indexOf('#', question);
  const query = url.slice(question + 1, hash < 0 ? undefined : hash);
  const cleaned = query
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const rawName = equals < 0 ? pair : pair.slice(0, equals);
      return credentialParameter(rawName) && equals >= 0 ? `${rawName}=${REDACTED}` : pair;
    })
    .join('&');
  return `${url.slice(0, question)}?${cleaned}${hash < 0 ? '' : url.slice(hash)}`;
}

/** Whether a query parameter looks like it carries a credential (its name is percent-decoded first). */
export function credentialParameter(rawName: string): boolean {
  let name = rawName;
  try {
    name = decodeURIComponent(rawName.replace(/\+/g, ' '));
  } catch {
    // A malformed escape: judge the name as sent.
  }
  return CREDENTIAL_NAME.test(name);
}

/** Header names whose values are credentials, for pino's redaction wherever headers are logged. */
export const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-auth-token'] as const;
