-- The 令和6年度 住民税非課税世帯 給付金 for every household, as one set-based statement: the
-- floor a database-bound design is measured against. Same rules as rules/low-income-household-2024
-- (members on 2024-12-13; all exempt from 均等割, born after 1 January counts as exempt, no record
-- otherwise means review; excluded when all are dependants of taxed persons; 30,000 yen plus
-- 20,000 per child born on or after 2006-04-02), without explanations.
with members as (
  select distinct on (person_id) person_id, household_id, birth_date, status
  from person_history
  where municipality_code = $1 and valid_from <= date '2024-12-13'
  order by person_id, valid_from desc, recorded_at desc, change_row desc
),
tax as (
  select distinct on (person_id) person_id, kintowari, shotokuwari, dependent_of, supporter_taxed
  from income_history
  where municipality_code = $1 and fiscal_year = 2024 and valid_from <= date '2024-12-13'
  order by person_id, valid_from desc, recorded_at desc, change_row desc
),
per_member as (
  select m.household_id, m.birth_date,
    case when t.person_id is not null then t.kintowari = 0
         when m.birth_date > date '2024-01-01' then true end as exempt,
    case when t.dependent_of is null then (case when t.person_id is not null or m.birth_date > date '2024-01-01' then false end)
         when t.supporter_taxed is not null and s.person_id is null then t.supporter_taxed
         when s.person_id is not null then s.kintowari > 0 or s.shotokuwari > 0 end as dependant_of_taxed
  from members m
  left join tax t using (person_id)
  left join tax s on s.person_id = t.dependent_of
  where m.status = 'resident'
),
-- every household ever registered; one with no members on the base date is not concerned (no decision)
all_households as (select distinct household_id from person_history where municipality_code = $1),
households as (
  select a.household_id, count(p.household_id) as members,
    bool_or(exempt is false) as any_taxed, bool_or(exempt is null) as any_unknown_tax,
    bool_and(dependant_of_taxed is true) as all_dependants, bool_or(dependant_of_taxed is null) and not bool_or(dependant_of_taxed is false) as dependants_unknown,
    count(*) filter (where birth_date >= date '2006-04-02') as children
  from all_households a left join per_member p using (household_id) group by a.household_id
)
select
  case when members = 0 or any_taxed or all_dependants then 'ineligible' when any_unknown_tax or dependants_unknown then 'review' else 'eligible' end as outcome,
  count(*)::int as households,
  sum(case when members > 0 and not (any_taxed or all_dependants or any_unknown_tax or dependants_unknown) then 30000 + 20000 * children else 0 end)::bigint as total_yen
from households where members > 0 group by 1 order by 1;
