import { Controller, Get, Query, Res, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyProblems, ApiProblems } from '../common/openapi/api-responses';
import { ref } from '../common/openapi/schema-builders';
import type { FastifyReply } from 'fastify';
import { Roles } from '../common/auth/roles.guard';
import { PatientFilterQuery } from '../api/patients/patient-list.query';
import { ApiReadModel, ReadModelInterceptor } from '../api/patients/read-model-consistency';
import { AdtteExportQuery, AeExportQuery, CohortReportQuery, SurvivalReportQuery } from './report-query.dto';
import { ReportsService, type ExportFile } from './reports.service';

@ApiTags('reports')
@ApiBearerAuth()
@ApiKeyProblems()
@ApiProblems(400)
@Controller('v1/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('survival')
  @Roles('reporter')
  @UseInterceptors(ReadModelInterceptor)
  @ApiReadModel('SurvivalReport', 'The Kaplan-Meier estimate; null where a value is not estimable')
  @ApiOperation({ summary: 'Kaplan-Meier estimate of OS, PFS or GRFS over the filtered cohort: Greenwood variance, log-log 95% CI, Day +365/+730, median, steps' })
  survival(@Query() query: SurvivalReportQuery) {
    return this.reports.survival(query);
  }

  @Get('cumulative-incidence')
  @Roles('reporter')
  @UseInterceptors(ReadModelInterceptor)
  @ApiReadModel('CumulativeIncidenceReport', 'Relapse and non-relapse mortality at Day +365 and +730, with step tables')
  @ApiOperation({ summary: 'Cumulative incidence of relapse and of non-relapse mortality (Aalen-Johansen, each the competing risk of the other)' })
  cumulativeIncidence(@Query() query: CohortReportQuery) {
    return this.reports.cumulativeIncidence(query);
  }

  @Get('adverse-events')
  @Roles('reporter')
  @UseInterceptors(ReadModelInterceptor)
  @ApiReadModel('AdverseEventReport', 'The AE incidence tables with exact 95% CIs')
  @ApiOperation({ summary: 'Treatment-related AE incidence by period, category and worst grade; primary endpoint summary; serious AEs' })
  adverseEvents(@Query() query: PatientFilterQuery) {
    return this.reports.adverseEvents(query);
  }

  @Get('exports/adtte')
  @Roles('reporter')
  @UseInterceptors(ReadModelInterceptor)
  @ApiReadModel()
  @ApiOperation({ summary: 'CDISC ADaM-style ADTTE: one row per patient and PARAMCD (OS, PFS, GRFS), as RFC 4180 CSV or JSON' })
  @ApiResponse({ status: 200, description: 'CSV with a header row (default), or JSON { dataset, studyId, asOf, origin, columns, rows }', content: exportContent() })
  async adtte(@Query() query: AdtteExportQuery, @Res({ passthrough: true }) reply: FastifyReply) {
    return send(await this.reports.adtte(query), reply);
  }

  @Get('exports/ae')
  @Roles('reporter')
  @UseInterceptors(ReadModelInterceptor)
  @ApiReadModel()
  @ApiOperation({ summary: 'SDTM-style AE dataset: one row per adverse event, as RFC 4180 CSV or JSON' })
  @ApiResponse({ status: 200, description: 'CSV with a header row (default), or JSON { dataset, studyId, asOf, columns, rows }', content: exportContent() })
  async ae(@Query() query: AeExportQuery, @Res({ passthrough: true }) reply: FastifyReply) {
    return send(await this.reports.ae(query), reply);
  }
}

/** An export is RFC 4180 CSV (format=csv, the default) or the same rows as JSON (format=json). */
function exportContent() {
  return {
    'text/csv': { schema: { type: 'string' as const, description: 'RFC 4180 CSV with a header row, UTF-8, CRLF line ends' } },
    'application/json': { schema: ref('DatasetJson') },
  };
}

function send(file: ExportFile, reply: FastifyReply): string | object {
  // The file name is built from the study id, the origin and a validated date: nothing to escape.
  void reply.header('content-disposition', `attachment; filename="${file.filename}"`);
  if (file.format === 'json') return file.body;
  void reply.header('content-type', 'text/csv; charset=utf-8');
  return file.body;
}
