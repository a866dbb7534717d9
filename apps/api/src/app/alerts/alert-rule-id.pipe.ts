import { BadRequestException, type PipeTransform } from '@nestjs/common';

/** `:id` of an alert rule: a positive whole number, or a 400 that says so. */
export class AlertRuleIdPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    if (typeof value !== 'string' || !/^[1-9]\d{0,14}$/.test(value)) {
      throw new BadRequestException(
        `id: must be a positive whole number, got ${JSON.stringify(String(value).slice(0, 40))}`,
      );
    }
    return Number(value);
  }
}
