# the example repository end to end: apply, calculate (dependency order), get with the flags, up to date
sbd init --example repo > /dev/null && cd repo
sbd plan
sbd apply
sbd plan
sbd calculate --all
sbd get customer --features distance,gender --exclude '*' --filter 'age >= 30' | head -6
sbd get customer --features distance,gender --exclude '*' --filter 'age >= 30' | wc -l
sbd calculate customer customer_segment
ls store/customer
# A changed description, a changed query and a removed group, as plan and apply report them.
sed -i 's/description: profile and order habits of each customer/description: who they are/' sbd.yaml
sed -i 's/SELECT id, gender, age, city, signup_date FROM customers/SELECT id, gender, age, city FROM customers/' sbd.yaml
sed -i '/^  customer_segment:/,$d' sbd.yaml
sbd plan
sbd apply
sbd plan
sbd calculate customer
sbd features customer --format csv | cut -d, -f2 | tr '\n' ' '
echo
