import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiJson, ApiKeyProblems, ApiProblems } from '../../common/openapi/api-responses';
import { Roles } from '../../common/auth/roles.guard';
import { PatientProjector } from '../../projections/patient.projector';

@ApiTags('admin')
@ApiBearerAuth()
@ApiKeyProblems()
@Controller('v1/admin/projections')
export class AdminController {
  constructor(private readonly projector: PatientProjector) {}

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'Read model checkpoint, head of the global log and state' })
  @ApiJson(200, 'ProjectorStatus', 'The read model state')
  status() {
    return this.projector.status();
  }

  @Post('rebuild')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Drop the read model and replay the whole log from position 0; answers when caught up' })
  @ApiJson(200, 'ProjectorStatus', 'The read model state once caught up')
  // It takes no body, but one sent is parsed (and refused) like any other.
  @ApiProblems(400, 413, 415)
  rebuild() {
    return this.projector.rebuild();
  }
}
