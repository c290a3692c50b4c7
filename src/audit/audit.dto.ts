import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, Validate, ValidateNested } from 'class-validator';
import { IsClinicalDateString } from '../api/common/clinical-date.validator';

const toCount = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value);
const HEX64 = /^[0-9a-f]{64}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export class SubjectListQuery {
  @ApiPropertyOptional({ description: 'Subject id to continue after (the `next` of the previous page)' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/)
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Transform(toCount)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class SealListQuery {
  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional()
  @Transform(toCount)
  @IsInt()
  @Min(1)
  fromSequence?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 10000, default: 1000 })
  @IsOptional()
  @Transform(toCount)
  @IsInt()
  @Min(1)
  @Max(10000)
  limit?: number;
}

/** GET form of a kept seal: the two fields that prove the content (the seal's count and Merkle root). */
export class VerifyQuery {
  @ApiPropertyOptional({ description: 'A kept seal\'s count; with merkleRoot' })
  @IsOptional()
  @Transform(toCount)
  @IsInt()
  @Min(1)
  count?: number;

  @ApiPropertyOptional({ description: 'A kept seal\'s Merkle root (64 hex digits); with count' })
  @IsOptional()
  @Matches(HEX64)
  merkleRoot?: string;
}

/** A seal as GET /v1/audit/seals returned it, kept by the auditor. */
export class KeptSealDto {
  @ApiProperty() @IsInt() @Min(1) sequence!: number;
  @ApiProperty() @IsInt() @Min(0) position!: number;
  @ApiProperty() @IsInt() @Min(1) count!: number;
  @ApiProperty() @Matches(HEX64) merkleRoot!: string;
  @ApiProperty({ type: [String] }) @IsArray() @ArrayMaxSize(64) @Matches(HEX64, { each: true }) frontier!: string[];
  @ApiProperty({ nullable: true, type: String }) @IsOptional() @Matches(HEX64) previousSealDigest!: string | null;
  @ApiProperty() @Matches(ISO_INSTANT) sealedAt!: string;
  @ApiProperty() @Matches(HEX64) digest!: string;
}

export class VerifyBody {
  @ApiProperty({ type: [KeptSealDto], description: 'Seals kept outside the service (from GET /v1/audit/seals or an archive)' })
  @IsArray()
  @ArrayMaxSize(10000)
  @ValidateNested({ each: true })
  @Type(() => KeptSealDto)
  seals!: KeptSealDto[];
}

export class TrailQuery {
  @ApiPropertyOptional({ description: 'Clinical date YYYY-MM-DD the derived record is taken as of (default: today, UTC)' })
  @IsOptional()
  @Validate(IsClinicalDateString)
  asOf?: string;
}

export class FeedQuery {
  @ApiPropertyOptional({ enum: ['events', 'records'], description: '`records` adds a derived-record change after each event' })
  @IsOptional()
  @IsIn(['events', 'records'])
  include?: 'events' | 'records';
}
