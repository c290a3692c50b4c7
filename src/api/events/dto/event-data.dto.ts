/**
 * The `data` of every event type as class-validator DTOs: the one definition the edge
 * validates against and the OpenAPI document is generated from. Field rules live here;
 * rules across fields of one event are in `event-validation.ts` (crossFieldErrors).
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  Validate,
  ValidateNested,
} from 'class-validator';
import {
  AE_CATEGORIES,
  ATTRIBUTIONS,
  CONDITIONING_AGENTS,
  CONDITIONING_INTENSITIES,
  CTCAE_GRADES,
  DEATH_CAUSES,
  DIAGNOSIS_TYPES,
  DISEASE_STATUSES,
  DONOR_RELATIONS,
  GRAFT_SOURCES,
  GVHD_GRADES,
  GVHD_PROPHYLAXIS_AGENTS,
  LINEAGES,
  REGIMENS,
  RELAPSE_KINDS,
  RESPONSES,
  RISK_GROUPS,
  SEXES,
  SUSPECTED_CAUSES,
  TRANSPLANT_DONOR_TYPES,
  WITHDRAWAL_REASONS,
} from '../../../domain/events/clinical-event';
import { IsClinicalDateString } from '../../common/clinical-date.validator';

/** Free text a clinician types: a term, a reason, a WHO classification. */
export const TEXT_MAX = 2000;
/** Identifiers from other systems: donor ids, AE ids. */
export const ID_MAX = 64;
/** HLA match as matched/typed loci, e.g. 5/10 or 7/8. */
export const HLA_MATCH = /^(\d{1,2})\/(\d{1,2})$/;

const finite = { allowNaN: false, allowInfinity: false } as const;

const Text = (max = TEXT_MAX): PropertyDecorator => (target, key) => {
  IsString()(target, key);
  IsNotEmpty()(target, key);
  MaxLength(max)(target, key);
};
const Required: PropertyDecorator = IsDefined();
const DateField: PropertyDecorator = Validate(IsClinicalDateString);
/** A positive cell dose per kg (e.g. 5.2e6 CD34+/kg). */
const CellDose: PropertyDecorator = (target, key) => {
  IsOptional()(target, key);
  IsNumber(finite)(target, key);
  Min(0)(target, key);
  Max(1e12)(target, key);
};

export class DiagnosisDto {
  @ApiProperty({ enum: DIAGNOSIS_TYPES }) @Required @IsIn(DIAGNOSIS_TYPES) type!: string;
  @ApiPropertyOptional({ description: 'WHO 5th edition classification, as text', maxLength: TEXT_MAX }) @IsOptional() @Text() who?: string;
  @ApiProperty({ enum: DISEASE_STATUSES }) @Required @IsIn(DISEASE_STATUSES) status!: string;
  @ApiPropertyOptional({ enum: RISK_GROUPS }) @IsOptional() @IsIn(RISK_GROUPS) riskGroup?: string;
}

export class ExclusionsDto {
  @ApiProperty() @Required @IsBoolean() uncontrolledInfectionOrHemorrhage!: boolean;
  @ApiProperty() @Required @IsBoolean() significantCardiovascularDisease!: boolean;
  @ApiProperty() @Required @IsBoolean() uncontrolledAutoimmuneDisease!: boolean;
  @ApiProperty() @Required @IsBoolean() severeInfusionReactionHistory!: boolean;
  @ApiProperty() @Required @IsBoolean() pregnantOrNursing!: boolean;
  @ApiProperty() @Required @IsBoolean() psychiatricOrCognitiveImpairment!: boolean;
  @ApiProperty() @Required @IsBoolean() majorSurgeryWithin4Weeks!: boolean;
  @ApiProperty() @Required @IsBoolean() otherLifeThreateningIllness!: boolean;
}

export class EligibilityDto {
  @ApiProperty({ description: 'ALT as a multiple of the upper limit of normal', minimum: 0, maximum: 100 }) @Required @IsNumber(finite) @Min(0) @Max(100) altXUln!: number;
  @ApiProperty({ description: 'AST x ULN', minimum: 0, maximum: 100 }) @Required @IsNumber(finite) @Min(0) @Max(100) astXUln!: number;
  @ApiProperty({ description: 'Total bilirubin x ULN', minimum: 0, maximum: 100 }) @Required @IsNumber(finite) @Min(0) @Max(100) bilirubinXUln!: number;
  @ApiProperty({ description: 'Serum creatinine x ULN', minimum: 0, maximum: 100 }) @Required @IsNumber(finite) @Min(0) @Max(100) creatinineXUln!: number;
  @ApiPropertyOptional({ description: 'Creatinine clearance, mL/min', minimum: 0, maximum: 400 }) @IsOptional() @IsNumber(finite) @Min(0) @Max(400) crClMlMin?: number;
  @ApiProperty({ description: 'Left ventricular ejection fraction, %', minimum: 0, maximum: 100 }) @Required @IsNumber(finite) @Min(0) @Max(100) lvefPercent!: number;
  @ApiProperty({ type: ExclusionsDto }) @Required @IsObject() @ValidateNested() @Type(() => ExclusionsDto) exclusions!: ExclusionsDto;
}

export class BridgingDonorDto {
  @ApiProperty({ maxLength: ID_MAX }) @Required @Text(ID_MAX) donorId!: string;
  @ApiProperty({ minimum: 0, maximum: 120 }) @Required @IsInt() @Min(0) @Max(120) ageYears!: number;
  @ApiProperty({ enum: DONOR_RELATIONS }) @Required @IsIn(DONOR_RELATIONS) relation!: string;
  @ApiProperty({ example: '5/10', pattern: HLA_MATCH.source }) @Required @IsString() @Matches(HLA_MATCH) hlaMatch!: string;
}

export class TransplantDonorDto {
  @ApiProperty({ maxLength: ID_MAX }) @Required @Text(ID_MAX) donorId!: string;
  @ApiProperty({ minimum: 0, maximum: 120 }) @Required @IsInt() @Min(0) @Max(120) ageYears!: number;
  @ApiProperty({ enum: TRANSPLANT_DONOR_TYPES }) @Required @IsIn(TRANSPLANT_DONOR_TYPES) type!: string;
  @ApiProperty({ example: '10/10', pattern: HLA_MATCH.source }) @Required @IsString() @Matches(HLA_MATCH) hlaMatch!: string;
}

export class WaiverDto {
  @ApiProperty({ maxLength: TEXT_MAX }) @Required @Text() reason!: string;
}

export class PatientEnrolledDataDto {
  @ApiProperty({ enum: SEXES }) @Required @IsIn(SEXES) sex!: string;
  @ApiProperty({ description: 'Age in whole years at enrollment', minimum: 0, maximum: 120 }) @Required @IsInt() @Min(0) @Max(120) ageYears!: number;
  @ApiProperty({ type: DiagnosisDto }) @Required @IsObject() @ValidateNested() @Type(() => DiagnosisDto) diagnosis!: DiagnosisDto;
  @ApiProperty({ format: 'date' }) @Required @DateField consentSignedOn!: string;
  @ApiProperty({ type: EligibilityDto }) @Required @IsObject() @ValidateNested() @Type(() => EligibilityDto) eligibility!: EligibilityDto;
  @ApiProperty({ type: BridgingDonorDto, description: 'HLA-mismatched donor of the GPBMCs' }) @Required @IsObject() @ValidateNested() @Type(() => BridgingDonorDto) bridgingDonor!: BridgingDonorDto;
  @ApiProperty({ type: TransplantDonorDto }) @Required @IsObject() @ValidateNested() @Type(() => TransplantDonorDto) transplantDonor!: TransplantDonorDto;
  @ApiPropertyOptional({ type: WaiverDto, description: 'Enroll despite failed criteria; accepted and flagged as a deviation' }) @IsOptional() @IsObject() @ValidateNested() @Type(() => WaiverDto) eligibilityWaiver?: WaiverDto;
}

export class ChemotherapyStartedDataDto {
  @ApiProperty({ enum: REGIMENS }) @Required @IsIn(REGIMENS) regimen!: string;
  @ApiPropertyOptional({ description: 'Required for OTHER, and only then', maxLength: 200 }) @IsOptional() @Text(200) regimenName?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 20 }) @IsOptional() @IsInt() @Min(1) @Max(20) cycle?: number;
}

export class GpbmcInfusedDataDto {
  @ApiProperty({ maxLength: ID_MAX }) @Required @Text(ID_MAX) donorId!: string;
  @ApiPropertyOptional({ description: 'Mononuclear cells per kg' }) @CellDose mncPerKg?: number;
  @ApiPropertyOptional({ description: 'CD34+ cells per kg' }) @CellDose cd34PerKg?: number;
  @ApiPropertyOptional({ description: 'CD3+ cells per kg' }) @CellDose cd3PerKg?: number;
}

export class ResponseAssessedDataDto {
  @ApiProperty({ enum: RESPONSES }) @Required @IsIn(RESPONSES) response!: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() mrdNegative?: boolean;
}

export class ConditioningStartedDataDto {
  @ApiProperty({ enum: CONDITIONING_AGENTS, isArray: true }) @Required @IsArray() @ArrayMinSize(1) @ArrayMaxSize(CONDITIONING_AGENTS.length) @ArrayUnique() @IsIn(CONDITIONING_AGENTS, { each: true }) agents!: string[];
  @ApiProperty({ enum: CONDITIONING_INTENSITIES }) @Required @IsIn(CONDITIONING_INTENSITIES) intensity!: string;
  @ApiPropertyOptional({ description: 'Total body irradiation dose in Gy: required when agents include TBI, and only then', minimum: 0, maximum: 20 }) @IsOptional() @IsNumber(finite) @Min(0) @Max(20) tbiGy?: number;
}

export class StemCellsInfusedDataDto {
  @ApiProperty({ maxLength: ID_MAX }) @Required @Text(ID_MAX) donorId!: string;
  @ApiProperty({ enum: TRANSPLANT_DONOR_TYPES }) @Required @IsIn(TRANSPLANT_DONOR_TYPES) donorType!: string;
  @ApiProperty({ enum: GRAFT_SOURCES }) @Required @IsIn(GRAFT_SOURCES) graftSource!: string;
  @ApiPropertyOptional({ description: 'CD34+ cells per kg' }) @CellDose cd34PerKg?: number;
  @ApiProperty({ enum: GVHD_PROPHYLAXIS_AGENTS, isArray: true }) @Required @IsArray() @ArrayMaxSize(GVHD_PROPHYLAXIS_AGENTS.length) @ArrayUnique() @IsIn(GVHD_PROPHYLAXIS_AGENTS, { each: true }) gvhdProphylaxis!: string[];
}

export class EngraftmentRecordedDataDto {
  @ApiProperty({ enum: LINEAGES }) @Required @IsIn(LINEAGES) lineage!: string;
}

export class AdverseEventReportedDataDto {
  @ApiProperty({ description: 'Unique in the patient stream', maxLength: ID_MAX }) @Required @Text(ID_MAX) aeId!: string;
  @ApiProperty({ maxLength: 500 }) @Required @Text(500) term!: string;
  @ApiProperty({ enum: AE_CATEGORIES }) @Required @IsIn(AE_CATEGORIES) category!: string;
  @ApiProperty({ enum: CTCAE_GRADES }) @Required @IsIn(CTCAE_GRADES) ctcaeGrade!: number;
  @ApiPropertyOptional({ enum: GVHD_GRADES, description: 'Required for GVHD: MAGIC I-IV for acute, NIH MILD/MODERATE/SEVERE for chronic' }) @IsOptional() @IsIn(GVHD_GRADES) gvhdGrade?: string;
  @ApiPropertyOptional({ description: 'Chronic GVHD only: needs systemic therapy' }) @IsOptional() @IsBoolean() systemicTherapy?: boolean;
  @ApiProperty() @Required @IsBoolean() serious!: boolean;
  @ApiProperty({ enum: ATTRIBUTIONS }) @Required @IsIn(ATTRIBUTIONS) attribution!: string;
  @ApiPropertyOptional({ enum: SUSPECTED_CAUSES }) @IsOptional() @IsIn(SUSPECTED_CAUSES) suspectedCause?: string;
}

export class AdverseEventUpdatedDataDto {
  @ApiProperty({ maxLength: ID_MAX }) @Required @Text(ID_MAX) aeId!: string;
  @ApiPropertyOptional({ enum: CTCAE_GRADES }) @IsOptional() @IsIn(CTCAE_GRADES) ctcaeGrade?: number;
  @ApiPropertyOptional({ enum: GVHD_GRADES, description: "Must fit the AE's category in force: MAGIC I-IV for acute GVHD, NIH MILD/MODERATE/SEVERE for chronic, none otherwise (422 AE_GVHD_GRADE_NOT_FOR_CATEGORY)" }) @IsOptional() @IsIn(GVHD_GRADES) gvhdGrade?: string;
  @ApiPropertyOptional({ description: 'Chronic GVHD only (422 AE_SYSTEMIC_THERAPY_NOT_FOR_CATEGORY otherwise)' }) @IsOptional() @IsBoolean() systemicTherapy?: boolean;
  @ApiPropertyOptional({ enum: ATTRIBUTIONS }) @IsOptional() @IsIn(ATTRIBUTIONS) attribution?: string;
  @ApiPropertyOptional({ format: 'date' }) @IsOptional() @DateField resolvedOn?: string;
}

export class RelapseDiagnosedDataDto {
  @ApiProperty({ enum: RELAPSE_KINDS }) @Required @IsIn(RELAPSE_KINDS) kind!: string;
}

/** A contact: the patient was known alive on `occurredOn`. No data. */
export class FollowUpRecordedDataDto {}

export class PatientDiedDataDto {
  @ApiProperty({ enum: DEATH_CAUSES }) @Required @IsIn(DEATH_CAUSES) cause!: string;
  @ApiProperty() @Required @IsBoolean() treatmentRelated!: boolean;
}

export class PatientWithdrawnDataDto {
  @ApiProperty({ enum: WITHDRAWAL_REASONS }) @Required @IsIn(WITHDRAWAL_REASONS) reason!: string;
}

export class EventCorrectedDataDto {
  @ApiProperty({ format: 'uuid' }) @Required @IsString() @Matches(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/) targetEventId!: string;
  @ApiPropertyOptional({ format: 'date', description: "The target's corrected clinical date" }) @IsOptional() @DateField occurredOn?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: "The whole replacement data, valid for the target's type" }) @IsOptional() @IsObject() data?: object;
  @ApiProperty({ maxLength: TEXT_MAX, description: 'Why: required for the audit trail' }) @Required @Text() reason!: string;
}

export class EventVoidedDataDto {
  @ApiProperty({ format: 'uuid' }) @Required @IsString() @Matches(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/) targetEventId!: string;
  @ApiProperty({ maxLength: TEXT_MAX, description: 'Why the target was entered in error' }) @Required @Text() reason!: string;
}

/**
 * Short printable identifiers only (letters, digits, . _ - @ :), so by design no name,
 * free text or other PHI fits: a site's user id, not the person.
 */
const ENTERED_BY_ID = /^[A-Za-z0-9][A-Za-z0-9._@:-]{0,63}$/;

/** The person on whose behalf a clinical system writes (kept, shown in every audit view and export). */
export class EnteredByDto {
  @ApiProperty({ maxLength: 64, pattern: ENTERED_BY_ID.source, description: "The user's id in the emitting system, not a name" }) @Required @IsString() @Matches(ENTERED_BY_ID, { message: 'userId must be 1-64 of letters, digits, . _ - @ : (an id, not a name)' }) userId!: string;
  @ApiPropertyOptional({ maxLength: 64, pattern: ENTERED_BY_ID.source }) @IsOptional() @IsString() @Matches(ENTERED_BY_ID, { message: 'site must be 1-64 of letters, digits, . _ - @ :' }) site?: string;
}

export class EventMetadataDto {
  @ApiPropertyOptional({ type: EnteredByDto, description: 'Who the event was entered for; required when the service runs with REQUIRE_ENTERED_BY=true (422 ENTERED_BY_REQUIRED)' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => EnteredByDto)
  enteredBy?: EnteredByDto;
  @ApiPropertyOptional({ description: 'The emitting system, e.g. EDC-site-01', maxLength: 200 }) @IsOptional() @Text(200) source?: string;
  @ApiPropertyOptional({ maxLength: 200 }) @IsOptional() @Text(200) correlationId?: string;
  @ApiPropertyOptional({ maxLength: 200 }) @IsOptional() @Text(200) causationId?: string;
}
