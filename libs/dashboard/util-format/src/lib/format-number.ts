const formatters = new Map<string, Intl.NumberFormat>();

function formatter(key: string, make: () => Intl.NumberFormat): Intl.NumberFormat {
  let f = formatters.get(key);
  if (!f) {
    f = make();
    formatters.set(key, f);
  }
  return f;
}

/** `1234.5` in `EUR` → `€1,234.50`; an unknown currency code falls back to `1,234.50 XYZ`. */
export function formatCurrency(value: number, currency: string, locale = 'en-US'): string {
  try {
    return formatter(
      `c:${locale}:${currency}`,
      () => new Intl.NumberFormat(locale, { style: 'currency', currency }),
    ).format(value);
  } catch {
    return `${formatDecimal(value, 2, locale)} ${currency}`;
  }
}

/** Short currency for chart axes: `€12.3K`. */
export function formatCurrencyCompact(value: number, currency: string, locale = 'en-US'): string {
  try {
    return formatter(
      `cc:${locale}:${currency}`,
      () =>
        new Intl.NumberFormat(locale, {
          style: 'currency',
          currency,
          notation: 'compact',
          maximumFractionDigits: 1,
        }),
    ).format(value);
  } catch {
    return `${formatDecimal(value, 0, locale)} ${currency}`;
  }
}

export function formatInteger(value: number, locale = 'en-US'): string {
  return formatter(`i:${locale}`, () => new Intl.NumberFormat(locale, { maximumFractionDigits: 0 })).format(
    value,
  );
}

export function formatDecimal(value: number, digits: number, locale = 'en-US'): string {
  return formatter(
    `d:${locale}:${digits}`,
    () => new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }),
  ).format(value);
}
