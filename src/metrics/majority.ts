/**
 * maj@n of one item: the answer most of its samples extracted, and whether that answer was graded correct
 * (self-consistency, Wang et al. 2023, "Self-Consistency Improves Chain of Thought Reasoning in Language Models",
 * ICLR, arXiv:2203.11171: a plurality vote over the parsed final answers). Pure.
 *
 * - Votes are the extracted strings as the grader recorded them. Two spellings of one value ("1/2", "0.5") are two
 *   candidates: equivalence is the grader's job, and a tally here cannot call it.
 * - Samples with no answer (`answered: false`) do not vote; an item no sample answered is wrong ("no-answer").
 * - A tie goes to the tied answer seen first in sample order ("tie"), so the result is fixed by the journal.
 * - The winner's correctness is its samples' grade; if they were graded differently (a grader that is not a pure
 *   function of the text, e.g. code under a timeout), the item is `correct: null` ("inconsistent-grades") and is
 *   counted apart, never guessed. maj@n suits tasks with short final answers (choice, math), not code.
 */

export interface SampleVerdict {
  answered: boolean;
  extracted?: string;
  correct: boolean;
}

export type MajorityRule = "majority" | "tie" | "no-answer" | "inconsistent-grades";

export interface MajorityVote {
  /** The winning answer; null when no sample answered. */
  answer: string | null;
  votes: number;
  samples: number;
  correct: boolean | null;
  rule: MajorityRule;
}

export function majorityVote(samples: readonly SampleVerdict[]): MajorityVote {
  const tally = new Map<string, { votes: number; correct: number }>(); // Map keeps first-seen order
  for (const sample of samples) {
    if (!sample.answered || sample.extracted === undefined) continue;
    const entry = tally.get(sample.extracted) ?? { votes: 0, correct: 0 };
    entry.votes += 1;
    if (sample.correct) entry.correct += 1;
    tally.set(sample.extracted, entry);
  }
  let answer: string | null = null;
  let best = { votes: 0, correct: 0 };
  let tied = false;
  for (const [candidate, entry] of tally) {
    if (entry.votes > best.votes) {
      answer = candidate;
      best = entry;
      tied = false;
    } else if (entry.votes === best.votes) tied = true;
  }
  if (answer === null) return { answer, votes: 0, samples: samples.length, correct: false, rule: "no-answer" };
  if (best.correct !== 0 && best.correct !== best.votes)
    return { answer, votes: best.votes, samples: samples.length, correct: null, rule: "inconsistent-grades" };
  return {
    answer,
    votes: best.votes,
    samples: samples.length,
    correct: best.correct === best.votes,
    rule: tied ? "tie" : "majority",
  };
}
