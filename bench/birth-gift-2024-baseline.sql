-- 出産祝金（令和6年度生まれ）for every household, as one set-based statement: the floor a
-- database-bound design is measured against. Close to rules/birth-gift-2024 (municipality 141003
-- only), without explanations: members on the base date 2025-03-31; eligible with at least one
-- member born 2024-04-01 to 2025-03-31; 50,000 yen per such child, 100,000 from the third in the
-- birth order among members other than the 世帯主 and the spouse, up to the school year after 18
-- (born on or after 2006-04-02). It skips what needs the parents' income (which parent receives,
-- hence who counts as a parent for the birth order and whose 辞退届 counts, and a household with no
-- parent to pay: review), as child-allowance-baseline.sql does. The engine decides this program
-- from its base date on only, so a nightly before 2025-03-31 has no decisions to compare with:
-- `npm run bench` (2024-12-13) leaves it out of its total; it checks a nightly on a later date.
with members as (
  select distinct on (person_id) person_id, household_id, relationship, birth_date, status
  from person_history
  where municipality_code = $1 and valid_from <= date '2025-03-31'
  order by person_id, valid_from desc, recorded_at desc, change_row desc
),
ranked as (
  select household_id, birth_date,
    case when relationship not in ('世帯主', '妻', '夫') and birth_date >= date '2006-04-02'
      then row_number() over (partition by household_id, relationship not in ('世帯主', '妻', '夫') and birth_date >= date '2006-04-02' order by birth_date, person_id) end as birth_order
  from members
  where status = 'resident' and $1 = '141003'
),
households as (
  select household_id,
    count(*) filter (where birth_date between date '2024-04-01' and date '2025-03-31') as newborns,
    sum(case when birth_date between date '2024-04-01' and date '2025-03-31' then (case when birth_order >= 3 then 100000 else 50000 end) else 0 end) as amount
  from ranked group by household_id
)
select case when newborns >= 1 then 'eligible' else 'ineligible' end as outcome, count(*)::int as households,
  coalesce(sum(case when newborns >= 1 then amount else 0 end), 0)::bigint as total_yen
from households group by 1 order by 1;
