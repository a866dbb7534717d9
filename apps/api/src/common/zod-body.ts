import { applyDecorators, BadRequestException, Body, PipeTransform } from '@nestjs/common';
import { ApiBody } from '@nestjs/swagger';
import { z } from 'zod';

import { describeIssues } from '@realtime/contracts/schemas';

export class ZodPipe<T extends z.ZodType> implements PipeTransform<unknown, z.output<T>> {
  constructor(private readonly schema: T) {}

  transform(value: unknown): z.output<T> {
    if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new BadRequestException('Expected a JSON object body (Content-Type: application/json)');
    }
    const result = this.schema.safeParse(value);
    if (!result.success) throw new BadRequestException(describeIssues(result.error));
    return result.data;
  }
}

/** `@ZodBody(Schema)`: validates the body with a contracts schema and documents it in OpenAPI. */
export function ZodBody<T extends z.ZodType>(schema: T): ParameterDecorator {
  return (target, key, index) => {
    Body(new ZodPipe(schema))(target, key, index);
    if (key) {
      const descriptor = Object.getOwnPropertyDescriptor(target, key);
      if (descriptor) {
        applyDecorators(
          ApiBody({
            schema: z.toJSONSchema(schema, { io: 'input' }) as object,
          }),
        )(target, key, descriptor);
      }
    }
  };
}
