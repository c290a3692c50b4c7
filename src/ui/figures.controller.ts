import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiJson, ApiKeyProblems, ApiProblems } from '../common/openapi/api-responses';
import type { PatientFilterQuery } from '../api/patients/patient-list.query';
import { Roles } from '../common/auth/roles.guard';
import { CohortReportQuery, SurvivalReportQuery } from '../reports/report-query.dto';
import { cumulativeIncidenceSvg, survivalSvg } from './figures/curves';
import { swimmerSvg } from './figures/swimmer';
import { AsRecordedCohortQuery, AsRecordedFilterQuery, AsRecordedSurvivalQuery, SwimmerFigureQuery, SwimmerQuery } from './figure-query.dto';
import { FigureSources, FiguresService } from './figures.service';

const SVG = 'image/svg+xml; charset=utf-8';

/** Figures for a clinical study report, drawn from the numbers the JSON report routes answer. */
@ApiTags('figures')
@ApiBearerAuth()
@ApiKeyProblems()
@Controller('v1/reports')
export class FiguresController {
  constructor(
    private readonly sources: FigureSources,
    private readonly figures: FiguresService,
  ) {}

  @Get('swimmer')
  @Roles('reporter')
  @ApiOperation({ summary: "Swimmer plot rows: a page of the patient list (same filters, sort, limit, offset), each patient's phases and events; recordedBefore accepted" })
  @ApiJson(200, 'SwimmerPage', 'One page of swimmer rows')
  @ApiProblems(400)
  swimmerRows(@Query() query: SwimmerQuery) {
    return this.figures.swimmerPage(query);
  }

  @Get('swimmer.svg')
  @Roles('reporter')
  @Header('content-type', SVG)
  @ApiResponse({ status: 200, description: 'An SVG figure with axis labels, legend, at-risk table and a caption naming the data cut-off', content: { 'image/svg+xml': { schema: { type: 'string' } } } })
  @ApiProblems(400)
  @ApiOperation({ summary: 'The swimmer plot of a page of the patient list as an SVG file; axis DAY0, ENROLLMENT or CALENDAR' })
  async swimmerFigure(@Query() query: SwimmerFigureQuery) {
    const { axis, ...rest } = query;
    const page = await this.figures.swimmerPage(rest);
    return swimmerSvg(page.rows, { axis: axis ?? 'DAY0', asOf: page.asOf, recordedBefore: page.recordedBefore, offset: page.offset, total: page.total });
  }

  @Get('survival.svg')
  @Roles('reporter')
  @Header('content-type', SVG)
  @ApiResponse({ status: 200, description: 'An SVG figure with axis labels, legend, at-risk table and a caption naming the data cut-off', content: { 'image/svg+xml': { schema: { type: 'string' } } } })
  @ApiProblems(400)
  @ApiOperation({ summary: 'The Kaplan-Meier figure of GET /v1/reports/survival (same parameters): curve, log-log CI band, censor ticks, median, number at risk' })
  async survivalFigure(@Query() query: SurvivalReportQuery) {
    return survivalSvg(await this.sources.reports.survival(query), patientFilters(query));
  }

  @Get('cumulative-incidence.svg')
  @Roles('reporter')
  @Header('content-type', SVG)
  @ApiResponse({ status: 200, description: 'An SVG figure with axis labels, legend, at-risk table and a caption naming the data cut-off', content: { 'image/svg+xml': { schema: { type: 'string' } } } })
  @ApiProblems(400)
  @ApiOperation({ summary: 'The figure of GET /v1/reports/cumulative-incidence (same parameters): relapse and NRM with CI bands and number at risk' })
  async cumulativeIncidenceFigure(@Query() query: CohortReportQuery) {
    return cumulativeIncidenceSvg(await this.sources.reports.cumulativeIncidence(query), patientFilters(query));
  }
}

/**
 * The cohort reports as the cohort was recorded before an instant: the report routes read the
 * read model, which holds what is known now, so these project every patient from its stream
 * (slow for a registry; docs/decisions.md). Same answers as the report routes, plus recordedBefore.
 */
@ApiTags('figures')
@ApiBearerAuth()
@ApiKeyProblems()
@Controller('v1/reports/as-recorded')
export class AsRecordedReportsController {
  constructor(private readonly figures: FiguresService) {}

  @Get('survival')
  @Roles('reporter')
  @ApiOperation({ summary: 'GET /v1/reports/survival as the cohort was recorded before recordedBefore' })
  @ApiJson(200, 'SurvivalReportAsRecorded', 'The survival report over what was recorded before the instant')
  @ApiProblems(400)
  survival(@Query() query: AsRecordedSurvivalQuery) {
    return this.figures.survivalAsRecorded(query);
  }

  @Get('cumulative-incidence')
  @Roles('reporter')
  @ApiOperation({ summary: 'GET /v1/reports/cumulative-incidence as the cohort was recorded before recordedBefore' })
  @ApiJson(200, 'CumulativeIncidenceReportAsRecorded', 'The cumulative incidence report over what was recorded before the instant')
  @ApiProblems(400)
  cumulativeIncidence(@Query() query: AsRecordedCohortQuery) {
    return this.figures.cumulativeIncidenceAsRecorded(query);
  }

  @Get('adverse-events')
  @Roles('reporter')
  @ApiOperation({ summary: 'GET /v1/reports/adverse-events as the cohort was recorded before recordedBefore' })
  @ApiJson(200, 'AdverseEventReportAsRecorded', 'The AE incidence tables over what was recorded before the instant')
  @ApiProblems(400)
  adverseEvents(@Query() query: AsRecordedFilterQuery) {
    return this.figures.adverseEventsAsRecorded(query);
  }
}

/** The filters a caption names (origin and endpoint are named by the figure itself). */
function patientFilters(query: PatientFilterQuery): Record<string, unknown> {
  const { phase, primaryEndpoint, windowStatus, diagnosis, riskGroup, relapsed, hasDeviations, hasQueries } = query;
  return { phase, primaryEndpoint, windowStatus, diagnosis, riskGroup, relapsed, hasDeviations, hasQueries };
}
