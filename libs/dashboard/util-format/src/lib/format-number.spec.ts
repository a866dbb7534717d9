import { formatCurrency, formatCurrencyCompact, formatDecimal, formatInteger } from './format-number';

describe('number formatting', () => {
  it('formats money in the given currency', () => {
    expect(formatCurrency(1234.5, 'USD')).toBe('$1,234.50');
    expect(formatCurrency(1234.5, 'EUR')).toBe('€1,234.50');
    expect(formatCurrency(12, 'JPY')).toBe('¥12');
  });

  it('falls back for a code Intl does not know', () => {
    expect(formatCurrency(3, 'NOT-A-CODE')).toBe('3.00 NOT-A-CODE');
  });

  it('formats compact money, integers and decimals', () => {
    expect(formatCurrencyCompact(12_345, 'USD')).toBe('$12.3K');
    expect(formatInteger(1234.6)).toBe('1,235');
    expect(formatDecimal(2, 1)).toBe('2.0');
  });
});
