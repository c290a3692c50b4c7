import { Controller, Get, Query, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/auth/roles.guard';
import { ApiKeyProblems, ApiProblems } from '../../common/openapi/api-responses';
import { ApiReadModel, ReadModelInterceptor } from '../patients/read-model-consistency';
import { QueryListQuery } from './query-list.query';
import { QueriesService } from './queries.service';

@ApiTags('queries')
@ApiBearerAuth()
@ApiKeyProblems()
@Controller('v1/queries')
export class QueriesController {
  constructor(private readonly queries: QueriesService) {}

  @Get()
  @Roles('reporter', 'auditor')
  @ApiOperation({ summary: "The cohort's open data queries as of a date (oldest first), filterable by code, age and the patient filters" })
  @UseInterceptors(ReadModelInterceptor)
  @ApiReadModel('QueryList', 'One page of open queries, each with its patient, how long it has been open and its question; counts by code over all that pass the filters')
  @ApiProblems(400)
  list(@Query() query: QueryListQuery) {
    return this.queries.list(query);
  }
}
