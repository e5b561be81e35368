-- 令和5年度 住民税均等割のみ課税世帯 10万円 for every household, as one set-based statement: the
-- floor a database-bound design is measured against. Same rules as
-- rules/price-relief-2023-kintowari-only, without explanations: members on 2023-12-01; tax records
-- of fiscal 2023 as they stood on the nightly's date (2024-12-13); nobody charged 所得割 (no record:
-- as for 均等割, exempt when born after 2023-01-01 or a minor resident on 2023-01-01, otherwise
-- review); not a household of the 7万円 round (all exempt from 均等割 and not all dependants of taxed
-- persons), computed from the same records; excluded when all are dependants of 所得割 payers; a
-- 辞退届 of the 世帯主 makes it ineligible; 100,000 yen plus 50,000 per member other than the 世帯主
-- born on or after 2005-04-02. It skips nothing the engine decides.
with members as (
  select distinct on (person_id) person_id, household_id, relationship, birth_date, status
  from person_history
  where municipality_code = $1 and valid_from <= date '2023-12-01'
  order by person_id, valid_from desc, recorded_at desc, change_row desc
),
resident_since as (
  select person_id, min(valid_from) as since from person_history
  where municipality_code = $1 and status = 'resident' group by person_id
),
tax as (
  select distinct on (person_id) person_id, kintowari, shotokuwari, dependent_of, supporter_taxed, treaty_exempt
  from income_history
  where municipality_code = $1 and fiscal_year = 2023 and valid_from <= date '2024-12-13'
  order by person_id, valid_from desc, recorded_at desc, change_row desc
),
declined as (
  select distinct on (person_id) person_id, active
  from circumstance_history
  where municipality_code = $1 and circumstance = 'declined' and program = 'price-relief-2023-kintowari-only' and valid_from <= date '2024-12-13'
  order by person_id, valid_from desc, recorded_at desc, change_row desc
),
per_member as (
  select m.household_id, m.relationship, m.birth_date, d.active is true as declined, t.person_id is not null as has_tax,
    m.birth_date > date '2023-01-01' or (m.birth_date > date '2005-01-02' and r.since <= date '2023-01-01') as none_due,
    t.kintowari, t.shotokuwari, t.treaty_exempt, t.dependent_of, t.supporter_taxed,
    sm.person_id is not null as supporter_is_member, s.kintowari as s_kintowari, s.shotokuwari as s_shotokuwari
  from members m
  join resident_since r using (person_id)
  left join tax t using (person_id)
  left join members sm on sm.person_id = t.dependent_of and sm.household_id = m.household_id and sm.status = 'resident'
  left join tax s on s.person_id = t.dependent_of
  left join declined d on d.person_id = m.person_id and m.relationship = '世帯主'
  where m.status = 'resident'
),
tested as (
  select household_id, relationship, birth_date, declined,
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
  select household_id,
    case when bool_or(no_shotokuwari is false) then false when bool_or(no_shotokuwari is null) then null else true end as no_shotokuwari,
    case when bool_or(exempt is false) then false when bool_or(exempt is null) then null else true end as all_exempt,
    case when bool_or(dependant_of_taxed is false) then false when bool_or(dependant_of_taxed is null) then null else true end as all_dependants,
    case when bool_or(dependant_of_shotokuwari_payer is false) then false when bool_or(dependant_of_shotokuwari_payer is null) then null else true end as all_dependants_of_payers,
    bool_or(declined) as declined, bool_or(relationship = '世帯主') as has_head,
    count(*) filter (where relationship <> '世帯主' and birth_date >= date '2005-04-02') as children
  from tested group by household_id
),
rounds as (
  -- the 7万円 household: all_of(all exempt, not all dependants), Kleene
  select *, case when all_exempt is false or all_dependants then false when all_exempt is null or all_dependants is null then null else true end as exempt_round
  from households
),
decided as (
  select children,
    case when no_shotokuwari is false or exempt_round or all_dependants_of_payers or declined then 'ineligible'
         when no_shotokuwari is null or exempt_round is null or all_dependants_of_payers is null or not has_head then 'review' else 'eligible' end as outcome
  from rounds
)
select outcome, count(*)::int as households,
  coalesce(sum(case when outcome = 'eligible' then 100000 + 50000 * children else 0 end), 0)::bigint as total_yen
from decided group by 1 order by 1;
