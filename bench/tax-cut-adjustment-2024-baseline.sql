-- 定額減税補足給付金（調整給付）for every taxpayer, as one set-based statement: the floor a
-- database-bound design is measured against. Same rules as rules/tax-cut-adjustment-2024, without
-- explanations, one row per person: residents on 2024-06-03; tax records of fiscal 2024 as they
-- stood on the nightly's date (2024-12-13); only taxpayers are concerned (所得割 > 0, or 所得割 0
-- and an 推計所得税額 > 0; unknown when the latter is missing: review); resident since 2024-01-01;
-- 合計所得 ≤ 18,050,000; N = 1 + dependants − dependants abroad (unknown: review); the shortfalls
-- max(0, 30,000 N − 所得税) + max(0, 10,000 N − 所得割) must be above 0, and are paid rounded up to
-- 10,000; a 辞退届 makes it ineligible. It skips nothing the engine decides.
with members as (
  select distinct on (person_id) person_id, status
  from person_history
  where municipality_code = $1 and valid_from <= date '2024-06-03'
  order by person_id, valid_from desc, recorded_at desc, change_row desc
),
resident_since as (
  select person_id, min(valid_from) as since from person_history
  where municipality_code = $1 and status = 'resident' group by person_id
),
tax as (
  select distinct on (person_id) person_id, total_income, shotokuwari, income_tax, dependants, dependants_abroad
  from income_history
  where municipality_code = $1 and fiscal_year = 2024 and valid_from <= date '2024-12-13'
  order by person_id, valid_from desc, recorded_at desc, change_row desc
),
declined as (
  select distinct on (person_id) person_id, active
  from circumstance_history
  where municipality_code = $1 and circumstance = 'declined' and program = 'tax-cut-adjustment-2024' and valid_from <= date '2024-12-13'
  order by person_id, valid_from desc, recorded_at desc, change_row desc
),
per_person as (
  select t.*, r.since <= date '2024-01-01' as levied_here, d.active is true as declined,
    case when t.shotokuwari > 0 then true else t.income_tax > 0 end as taxpayer,
    case when t.dependants = 0 then 1 else 1 + t.dependants - t.dependants_abroad end as persons
  from members m
  join resident_since r using (person_id)
  join tax t using (person_id)
  left join declined d using (person_id)
  where m.status = 'resident'
),
shortfalls as (
  -- greatest() skips nulls: an unknown 所得税 or N must leave the shortfall unknown
  select *, case when income_tax is not null and persons is not null then greatest(0, 30000 * persons - income_tax) + greatest(0, 10000 * persons - shotokuwari) end as shortfall
  from per_person where taxpayer is not false
),
decided as (
  select shortfall,
    case when not levied_here or total_income > 18050000 or shortfall <= 0 or declined then 'ineligible'
         when taxpayer is null or shortfall is null then 'review' else 'eligible' end as outcome
  from shortfalls
)
select outcome, count(*)::int as persons,
  coalesce(sum(case when outcome = 'eligible' then (shortfall + 9999) / 10000 * 10000 else 0 end), 0)::bigint as total_yen
from decided group by 1 order by 1;
