import { TestBed } from '@angular/core/testing';

import { MetricCard } from './metric-card';

describe('MetricCard', () => {
  it('shows the label, the value as text and a dash when there is none', async () => {
    const fixture = TestBed.createComponent(MetricCard);
    fixture.componentRef.setInput('label', 'Active users');
    await fixture.whenStable();
    const el = fixture.nativeElement as HTMLElement;
    expect(el.querySelector('.value')?.textContent).toBe('—');
    fixture.componentRef.setInput('value', '<b>42</b>');
    fixture.componentRef.setInput('tone', 'ok');
    await fixture.whenStable();
    expect(el.querySelector('.value')?.textContent).toBe('<b>42</b>');
    expect(el.querySelector('b')).toBeNull();
    expect(el.getAttribute('data-tone')).toBe('ok');
  });
});
