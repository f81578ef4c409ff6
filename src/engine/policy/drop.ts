/** Why a candidate campaign did not make it into the response (the `explain` vocabulary). */
export type DropReason =
  | 'status'
  | 'schedule'
  | 'day_part'
  | 'platform'
  | 'slot'
  | 'audience'
  | 'cap'
  | 'ad_load_cap'
  | 'pacing'
  | 'goal_reached'
  | 'suppressed'
  | 'not_ranked';

export interface Drop {
  readonly campaignId: string;
  readonly reason: DropReason;
}
