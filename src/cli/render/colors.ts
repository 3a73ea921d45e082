/** ANSI colours, and Compose's rotation of prefix colours for attached logs. */

export type Paint = (text: string) => string;

const code = (open: number, close = 39): Paint => (text) => `\u001b[${open}m${text}\u001b[${close}m`;

export const ansi = {
  red: code(31),
  green: code(32),
  yellow: code(33),
  blue: code(34),
  magenta: code(35),
  cyan: code(36),
  grey: code(90),
  bold: code(1, 22),
} as const;

/** cyan, yellow, green, magenta, blue, then their bright variants (as Compose rotates them). */
const ROTATION: readonly number[] = [36, 33, 32, 35, 34, 96, 93, 92, 95, 94];

export const plainPaint: Paint = (t) => t;

/** Hands out prefix colours in order; the same key always gets the same colour. */
export class ColorRotation {
  private next = 0;
  private readonly assigned = new Map<string, Paint>();
  constructor(private readonly enabled: boolean) {}
  for(key: string): Paint {
    if (!this.enabled) return plainPaint;
    let paint = this.assigned.get(key);
    if (!paint) {
      paint = code(ROTATION[this.next % ROTATION.length]!);
      this.next++;
      this.assigned.set(key, paint);
    }
    return paint;
  }
}

/** Strip ANSI escape sequences (for width computations and tests). */
export function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");
}
