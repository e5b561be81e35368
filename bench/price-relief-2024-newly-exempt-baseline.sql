-- 令和6年度 新たに住民税非課税等となる世帯 10万円 for every household, as one set-based statement:
-- the floor a database-bound design is measured against. Same rules as
-- rules/price-relief-2024-newly-exempt, without explanations: members on 2024-06-03; tax records of
-- fiscal 2024 as they stood on the nightly's date (2024-12-13); all exempt from 均等割 or nobody
-- charged 所得割 (no record: exempt when born after 2024-01-01 or a minor resident on 2024-01-01,
-- otherwise review); excluded when all are dependants of taxed persons; excluded when a member
-- belonged on 2023-12-01 to a household eligible for either 2023 round (review when that
-- household's outcome was review, or the member was not resident then and born on or before
-- 2023-12-01); a 辞退届 of the 世帯主 makes it ineligible; 100,000 yen plus 50,000 per member other
-- than the 世帯主 born on or after 2006-04-02. The 2023 outcomes are derived here from the same store
-- by the rules of the two 2023 baselines, not read from the engine's decisions.
with members23 as (
  select distinct on (person_id) person_id, household_id, relationship, birth_date, status
  from person_history
  where municipality_code = $1 and valid_from <= date '2023-12-01'
  order by person_id, valid_from desc, recorded_at desc, change_row desc
),
members24 as (
  select distinct on (person_id) person_id, household_id, relationship, birth_date, status
  from person_history
  where municipality_code = $1 and valid_from <= date '2024-06-03'
  order by person_id, valid_from desc, recorded_at desc, change_row desc
),
members as (
  select 2023 as fiscal_year, * from members23 union all select 2024, * from members24
),
resident_since as (
  select person_id, min(valid_from) as since from person_history
  where municipality_code = $1 and status = 'resident' group by person_id
),
tax as (
  select distinct on (person_id, fiscal_year) person_id, fiscal_year, kintowari, shotokuwari, dependent_of, supporter_taxed, treaty_exempt
  from income_history
  where municipality_code = $1 and fiscal_year in (2023, 2024) and valid_from <= date '2024-12-13'
  order by person_id, fiscal_year, valid_from desc, recorded_at desc, change_row desc
),
declined as (
  select distinct on (person_id, program) person_id, program, active
  from circumstance_history
  where municipality_code = $1 and circumstance = 'declined' and valid_from <= date '2024-12-13'
    and program in ('price-relief-2023-exempt', 'price-relief-2023-kintowari-only', 'price-relief-2024-newly-exempt')
  order by person_id, program, valid_from desc, recorded_at desc, change_row desc
),
-- Each resident member on both base dates with the fiscal year's record and their supporter's.
per_member as (
  select m.fiscal_year, m.person_id, m.household_id, m.relationship, m.birth_date,
    t.person_id is not null as has_tax,
    m.birth_date > make_date(m.fiscal_year, 1, 1) or (m.birth_date > make_date(m.fiscal_year - 18, 1, 2) and r.since <= make_date(m.fiscal_year, 1, 1)) as none_due,
    t.kintowari, t.shotokuwari, t.treaty_exempt, t.dependent_of, t.supporter_taxed,
    sm.person_id is not null as supporter_is_member, s.kintowari as s_kintowari, s.shotokuwari as s_shotokuwari
  from members m
  join resident_since r using (person_id)
  left join tax t on t.person_id = m.person_id and t.fiscal_year = m.fiscal_year
  left join members sm on sm.fiscal_year = m.fiscal_year and sm.person_id = t.dependent_of and sm.household_id = m.household_id and sm.status = 'resident'
  left join tax s on s.person_id = t.dependent_of and s.fiscal_year = m.fiscal_year
  where m.status = 'resident'
),
tested as (
  select fiscal_year, person_id, household_id, relationship, birth_date,
    case when has_tax then kintowari = 0 and treaty_exempt is not true when none_due then true end as exempt,
    case when has_tax then shotokuwari = 0 and treaty_exempt is not true when none_due then true end as no_shotokuwari,
    case when not has_tax then (case when none_due then false end)
         when dependent_of is null then false
         when not supporter_is_member and supporter_taxed is not null then supporter_taxed
         else s_kintowari > 0 or s_shotokuwari > 0 end as dependant_of_taxed,
    case when not has_tax then (case when none_due then false end)
         when dependent_of is null then false
         when not supporter_is_member and supporter_taxed is false then false
         else s_shotokuwari > 0 end as dependant_of_shotokuwari_payer
  from per_member
),
households as (
  select fiscal_year, household_id,
    case when bool_or(no_shotokuwari is false) then false when bool_or(no_shotokuwari is null) then null else true end as no_shotokuwari,
    case when bool_or(exempt is false) then false when bool_or(exempt is null) then null else true end as all_exempt,
    case when bool_or(dependant_of_taxed is false) then false when bool_or(dependant_of_taxed is null) then null else true end as all_dependants,
    case when bool_or(dependant_of_shotokuwari_payer is false) then false when bool_or(dependant_of_shotokuwari_payer is null) then null else true end as all_dependants_of_payers,
    bool_or(relationship = '世帯主') as has_head,
    bool_or(relationship = '世帯主' and d1.active) as declined_2023_exempt,
    bool_or(relationship = '世帯主' and d2.active) as declined_2023_kintowari_only,
    bool_or(relationship = '世帯主' and d3.active) as declined_2024,
    count(*) filter (where relationship <> '世帯主' and birth_date >= date '2006-04-02') as children
  from tested
  left join declined d1 on d1.person_id = tested.person_id and d1.program = 'price-relief-2023-exempt'
  left join declined d2 on d2.person_id = tested.person_id and d2.program = 'price-relief-2023-kintowari-only'
  left join declined d3 on d3.person_id = tested.person_id and d3.program = 'price-relief-2024-newly-exempt'
  group by fiscal_year, household_id
),
-- The 2023 rounds per household on 2023-12-01, as Kleene values of "eligible" (null: review).
eligible_2023 as (
  select household_id,
    case when all_exempt is false or all_dependants or declined_2023_exempt then false
         when all_exempt is null or all_dependants is null or not has_head then null else true end as exempt_round,
    case when no_shotokuwari is false or exempt_household or all_dependants_of_payers or declined_2023_kintowari_only then false
         when no_shotokuwari is null or exempt_household is null or all_dependants_of_payers is null or not has_head then null else true end as kintowari_round
  from (
    -- the 7万円 household, which the 均等割のみ round excludes: all exempt and not all dependants of taxed persons
    select *, case when all_exempt is false or all_dependants then false when all_exempt is null or all_dependants is null then null else true end as exempt_household
    from households where fiscal_year = 2023
  ) h
),
-- Per member on 2024-06-03: did they belong to a household eligible in 2023 (Kleene any of the two rounds)?
in_2023 as (
  select m.household_id,
    case when p.status = 'resident' then
           (case when e.exempt_round or e.kintowari_round then true when e.exempt_round is null or e.kintowari_round is null then null else false end)
         when m.birth_date > date '2023-12-01' then false end as in_2023_household
  from members24 m
  left join members23 p using (person_id)
  left join eligible_2023 e on e.household_id = p.household_id and p.status = 'resident'
  where m.status = 'resident'
),
in_2023_households as (
  select household_id,
    case when bool_or(in_2023_household) then true when bool_or(in_2023_household is null) then null else false end as includes_2023
  from in_2023 group by household_id
),
households_2024 as (
  select h.*, i.includes_2023,
    case when h.all_exempt or h.no_shotokuwari then true when h.all_exempt is null or h.no_shotokuwari is null then null else false end as exempt_or_kintowari_only
  from households h join in_2023_households i using (household_id)
  where h.fiscal_year = 2024
),
decided as (
  select children,
    case when exempt_or_kintowari_only is false or all_dependants or includes_2023 or declined_2024 then 'ineligible'
         when exempt_or_kintowari_only is null or all_dependants is null or includes_2023 is null or not has_head then 'review'
         else 'eligible' end as outcome
  from households_2024
)
select outcome, count(*)::int as households,
  coalesce(sum(case when outcome = 'eligible' then 100000 + 50000 * children else 0 end), 0)::bigint as total_yen
from decided group by 1 order by 1;
