import { BadRequestException, type PipeTransform } from '@nestjs/common';

/** `:id` of a notification: a positive whole number, or a 400 that says so (never a 500 from the database). */
export class NotificationIdPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    if (typeof value !== 'string' || !/^[1-9]\d{0,14}$/.test(value)) {
      throw new BadRequestException(
        `id: must be a positive whole number, got ${JSON.stringify(String(value).slice(0, 40))}`,
      );
    }
    return Number(value);
  }
}
