import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';

import type { InstancesResponse } from '@realtime/contracts';

import { Roles } from '../../common/roles.decorator';
import { InstanceStatusService } from './instance-status.service';

@ApiTags('operations')
@ApiBearerAuth()
@Roles('admin')
@Controller('ops')
export class OperationsController {
  constructor(private readonly instances: InstanceStatusService) {}

  /** Every instance of the cluster that reported lately, as this instance heard them. */
  @Get('instances')
  list(): InstancesResponse {
    return this.instances.instances();
  }
}
