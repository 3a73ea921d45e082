/**
 * `a.localeCompare(b)`, without waking ICU's collator for the strings a project is mostly made of.
 *
 * The first localeCompare of a process loads and builds ICU's collation data: several ms of every
 * `ps` and `up` that sorts a few service names. For strings made only of lowercase ASCII letters,
 * digits, "-" and "." (service names, protocols, IPv4 addresses) ICU's root order is their code-unit
 * order (- < . < 0-9 < a-z in both; a prefix first in both), so those are compared directly; any
 * other string goes to localeCompare, so every result is the one localeCompare gives.
 */
const PLAIN = /^[a-z0-9.-]*$/;

export function compareText(a: string, b: string): number {
  if (PLAIN.test(a) && PLAIN.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return a.localeCompare(b);
}
