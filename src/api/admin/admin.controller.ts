import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/auth/roles.guard';
import { PatientProjector } from '../../projections/patient.projector';

@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin/projections')
export class AdminController {
  constructor(private readonly projector: PatientProjector) {}

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'Read model checkpoint, head of the global log and state' })
  status() {
    return this.projector.status();
  }

  @Post('rebuild')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Drop the read model and replay the whole log from position 0; answers when caught up' })
  rebuild() {
    return this.projector.rebuild();
  }
}
