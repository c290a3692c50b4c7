import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/auth/roles.guard';
import { QueryListQuery } from './query-list.query';
import { QueriesService } from './queries.service';

@ApiTags('queries')
@ApiBearerAuth()
@Controller('v1/queries')
export class QueriesController {
  constructor(private readonly queries: QueriesService) {}

  @Get()
  @Roles('reporter', 'auditor')
  @ApiOperation({ summary: "The cohort's open data queries as of a date (oldest first), filterable by code, age and the patient filters" })
  list(@Query() query: QueryListQuery) {
    return this.queries.list(query);
  }
}
