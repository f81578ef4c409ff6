import { Foundation1764320000000 } from './1764320000000-foundation';
import { Configuration1764330000000 } from './1764330000000-configuration';
import { Audiences1764340000000 } from './1764340000000-audiences';
import { Decisions1764350000000 } from './1764350000000-decisions';
import { Events1764360000000 } from './1764360000000-events';
import { Models1764370000000 } from './1764370000000-models';
import { Listening1764390000000 } from './1764390000000-listening';
import { Modeling1764380000000 } from './1764380000000-modeling';
import { LeaderLeases1764400000000 } from './1764400000000-leader-leases';
import { DecisionArmProbability1764410000000 } from './1764410000000-decision-arm-probability';

/** TypeORM applies migrations in timestamp order: keep this list in that order (new ones get a later timestamp). */
export const ALL_MIGRATIONS = [Foundation1764320000000, Configuration1764330000000, Audiences1764340000000, Decisions1764350000000, Events1764360000000, Models1764370000000, Modeling1764380000000, Listening1764390000000, LeaderLeases1764400000000, DecisionArmProbability1764410000000];
