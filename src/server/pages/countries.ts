/** Two-letter country codes a visitor may pick, from what Intl knows (no list kept by hand). */
let cached: string[] | null = null;

// Codes Intl names that are not countries a reporter can be in: groupings, pseudo-locales, and
// withdrawn codes it still resolves to a current country's name (BU is MM, UK is GB, ...).
const NOT_COUNTRIES = new Set(
  ['EU', 'EZ', 'UN', 'QO', 'XA', 'XB', 'ZZ', 'AN', 'BU', 'CS', 'DD', 'DY', 'FX', 'HV', 'NH', 'RH', 'SU', 'TP', 'UK', 'VD', 'YD', 'YU', 'ZR'],
);

export function countryCodes(): string[] {
  if (cached) return cached;
  const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  const codes: string[] = [];
  for (let a = 65; a <= 90; a++) {
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      if (!NOT_COUNTRIES.has(code) && names.of(code) !== undefined) codes.push(code);
    }
  }
  cached = codes;
  return codes;
}
